package org.parley.relay.debug;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import org.junit.jupiter.api.Test;
import org.parley.relay.rtp.RtpPacket;
import org.parley.relay.sdp.RelayCodec;

class FrameCaptureTest {

    private static final long SSRC = 1234;

    /** A VP8 packet: 12-byte RTP header, a one-byte payload descriptor, then {@code data}. */
    private static byte[] vp8(int seq, long ts, boolean marker, int... data) {
        byte[] b = new byte[13 + data.length];
        b[0] = (byte) 0x80;
        b[1] = (byte) ((marker ? 0x80 : 0) | 96);
        RtpPacket.setSequence(b, 0, seq);
        RtpPacket.setTimestamp(b, 0, ts);
        RtpPacket.setSsrc(b, 0, SSRC);
        b[12] = 0x10;
        for (int i = 0; i < data.length; i++) {
            b[13 + i] = (byte) data[i];
        }
        return b;
    }

    private static void forward(FrameCapture c, byte[] p) {
        c.forwarded("alice", RelayCodec.VP8, p, 0, p.length);
    }

    @Test
    void keepsOnlyVideoFramesWhosePacketsCameInSequence() {
        FrameCapture c = new FrameCapture(10);
        forward(c, vp8(1, 1000, false, 1, 1));
        forward(c, vp8(2, 1000, true, 1, 2));
        // frame 4000 loses packet 4 on the way; its repair comes after the marker
        forward(c, vp8(3, 4000, false, 2, 1));
        forward(c, vp8(5, 4000, true, 2, 3));
        forward(c, vp8(4, 4000, false, 2, 2));
        forward(c, vp8(6, 7000, true, 3, 1));
        // frame 10000 loses its marker packet 8; frame 13000 follows a gap (it may lack its start)
        forward(c, vp8(7, 10000, false, 4, 1));
        forward(c, vp8(9, 13000, true, 5, 1));
        forward(c, vp8(10, 16000, true, 6, 1));

        List<FrameCapture.Frame> frames = c.frames(SSRC);
        assertEquals(List.of(1000L, 7000L, 16000L), frames.stream().map(FrameCapture.Frame::timestamp).toList());
        assertArrayEquals(new byte[] {1, 1, 1, 2}, frames.get(0).data(), "descriptors removed, payloads joined");
    }
}
