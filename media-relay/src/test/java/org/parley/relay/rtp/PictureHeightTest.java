package org.parley.relay.rtp;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.ByteArrayOutputStream;
import org.junit.jupiter.api.Test;
import org.parley.relay.sdp.RelayCodec;

/** Picture heights from VP8 key frame headers and H.264 sequence parameter sets. */
class PictureHeightTest {

    private final PictureHeight heights = new PictureHeight();

    @Test
    void vp8KeyFrameHeaderGivesTheHeight() {
        // descriptor (S=1), frame tag (P=0), start code, width 1280, height 720 (scale bits set)
        byte[] p = {0x10, 0x50, 0x2a, 0x00, (byte) 0x9d, 0x01, 0x2a, 0x00, 0x05, (byte) 0xd0, (byte) 0x42, 0x00};
        assertEquals(720, heights.of(RelayCodec.VP8, p, 0, p.length));
    }

    @Test
    void vp8WithoutStartCodeOrTruncatedIsUnknown() {
        byte[] noStart = {0x10, 0x50, 0x2a, 0x00, 0x11, 0x01, 0x2a, 0x00, 0x05, (byte) 0xd0, 0x02};
        assertEquals(0, heights.of(RelayCodec.VP8, noStart, 0, noStart.length));
        byte[] shortOne = {0x10, 0x50, 0x2a, 0x00, (byte) 0x9d, 0x01};
        assertEquals(0, heights.of(RelayCodec.VP8, shortOne, 0, shortOne.length));
    }

    @Test
    void h264BaselineSpsWithCroppingGivesTheDisplayedHeight() {
        // 1920x1080: 68 macroblock rows (1088 lines) cropped by 4 (x2 for 4:2:0) at the bottom
        byte[] sps = sps(66, 120, 68, 4);
        assertEquals(1080, heights.of(RelayCodec.H264, sps, 0, sps.length));
    }

    @Test
    void h264HighProfileSpsAndStapAGiveTheHeight() {
        byte[] sps = sps(100, 80, 45, 0); // 1280x720
        byte[] stap = new byte[1 + 2 + sps.length + 2 + 3];
        stap[0] = 24; // STAP-A (RFC 6184 section 5.7.1)
        stap[1] = (byte) (sps.length >> 8);
        stap[2] = (byte) sps.length;
        System.arraycopy(sps, 0, stap, 3, sps.length);
        stap[3 + sps.length + 1] = 3;
        stap[3 + sps.length + 2] = 0x68; // a PPS after it
        assertEquals(720, heights.of(RelayCodec.H264, stap, 0, stap.length));
    }

    @Test
    void h264SpsWithEmulationPreventionBytesParses() {
        // a huge width code (ue of 2^30: thirty zero bits, a one, thirty zeros) puts 00 00 0x
        // runs in the payload whatever the alignment, which the wire form escapes with 03
        byte[] sps = sps(66, (1 << 30) + 1, 45, 0);
        boolean escaped = false;
        for (int i = 2; i < sps.length; i++) {
            escaped |= sps[i - 2] == 0 && sps[i - 1] == 0 && sps[i] == 3;
        }
        org.junit.jupiter.api.Assertions.assertTrue(escaped, "the test SPS needs an emulation prevention byte");
        assertEquals(720, heights.of(RelayCodec.H264, sps, 0, sps.length));
    }

    @Test
    void truncatedSpsIsUnknown() {
        byte[] sps = sps(66, 120, 68, 4);
        assertEquals(0, heights.of(RelayCodec.H264, sps, 0, 6));
    }

    /** An SPS NAL unit (H.264 section 7.3.2.1.1), escaped as on the wire (section 7.4.1). */
    private static byte[] sps(int profile, int widthMbs, int heightMbs, int cropBottom) {
        Bits w = new Bits();
        w.u(8, profile);
        w.u(8, 0xc0);
        w.u(8, 31);
        w.ue(0); // sps id
        if (profile == 100) {
            w.ue(1); // 4:2:0
            w.ue(0);
            w.ue(0);
            w.u(1, 0);
            w.u(1, 0); // no scaling matrix
        }
        w.ue(0); // log2_max_frame_num_minus4
        w.ue(0); // pic_order_cnt_type
        w.ue(0); // log2_max_pic_order_cnt_lsb_minus4
        w.ue(1); // max_num_ref_frames
        w.u(1, 0);
        w.ue(widthMbs - 1);
        w.ue(heightMbs - 1);
        w.u(1, 1); // frame_mbs_only
        w.u(1, 1); // direct_8x8_inference
        w.u(1, cropBottom > 0 ? 1 : 0);
        if (cropBottom > 0) {
            w.ue(0);
            w.ue(0);
            w.ue(0);
            w.ue(cropBottom);
        }
        w.u(1, 0); // no VUI
        w.u(1, 1); // rbsp stop bit
        byte[] rbsp = w.bytes();
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.write(0x67);
        int zeros = 0;
        for (byte b : rbsp) {
            if (zeros >= 2 && (b & 0xff) <= 3) {
                out.write(3);
                zeros = 0;
            }
            out.write(b);
            zeros = b == 0 ? zeros + 1 : 0;
        }
        return out.toByteArray();
    }

    private static final class Bits {
        private final ByteArrayOutputStream out = new ByteArrayOutputStream();
        private int current;
        private int count;

        void u(int n, int v) {
            for (int i = n - 1; i >= 0; i--) {
                current = (current << 1) | ((v >> i) & 1);
                if (++count == 8) {
                    out.write(current);
                    current = 0;
                    count = 0;
                }
            }
        }

        void ue(int v) {
            int x = v + 1;
            int len = 32 - Integer.numberOfLeadingZeros(x);
            u(len - 1, 0);
            u(len, x);
        }

        byte[] bytes() {
            while (count != 0) {
                u(1, 0);
            }
            return out.toByteArray();
        }
    }
}
