package org.parley.relay.rtp;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

/**
 * A receiver's VP8 PictureIDs and TL0PICIDX run on across simulcast switches, and a
 * retransmission carries what its packet was first sent with.
 */
class Vp8ContinuityTest {

    /** A VP8 payload descriptor with X, I (15-bit PictureID), L and T set, as Chromium sends. */
    private static byte[] descriptor(int pictureId, int tl0, boolean start) {
        return new byte[] {(byte) (start ? 0x90 : 0x80), (byte) 0xE0, (byte) (0x80 | (pictureId >> 8)), (byte) pictureId,
            (byte) tl0, 0x00, 0x00};
    }

    private static int pictureId(byte[] d) {
        return Vp8Descriptor.pictureId(d, Vp8Descriptor.pictureIdAt(d, 0, d.length));
    }

    private static int tl0(byte[] d) {
        return d[Vp8Descriptor.tl0PicIdxAt(d, 0, d.length)] & 0xff;
    }

    @Test
    void aSwitchToALayerBehindOrAheadContinuesTheReceiversSequences() {
        Vp8Continuity c = new Vp8Continuity();
        int seq = 100;
        for (int pid = 5000; pid < 5004; pid++) {
            byte[] d = descriptor(pid, 40 + pid % 2, true);
            c.rewrite(d, 0, d.length, 2, seq++);
            assertEquals(pid, pictureId(d), "the first layer is forwarded as it is");
        }
        // Switch to a layer whose PictureIDs are far behind (its keyframe first).
        byte[] key = descriptor(200, 7, true);
        c.rewrite(key, 0, key.length, 0, seq++);
        assertEquals(5004, pictureId(key));
        assertEquals(42, tl0(key), "TL0PICIDX goes on from the last one sent (41)");
        byte[] next = descriptor(201, 8, true);
        int nextSeq = seq++;
        c.rewrite(next, 0, next.length, 0, nextSeq);
        assertEquals(5005, pictureId(next));
        assertEquals(43, tl0(next));
        // And to one whose PictureIDs are ahead and wrap.
        byte[] wrap = descriptor(0x7FFF, 250, true);
        c.rewrite(wrap, 0, wrap.length, 1, seq++);
        assertEquals(5006, pictureId(wrap));
        assertEquals(44, tl0(wrap));
        byte[] after = descriptor(0, 251, true);
        c.rewrite(after, 0, after.length, 1, seq++);
        assertEquals(5007, pictureId(after), "across the 15-bit wrap");
        assertEquals(45, tl0(after));

        // Repairs come from the publisher's cache with the original values.
        byte[] repair = descriptor(201, 8, true);
        c.rewriteRepair(repair, 0, repair.length, nextSeq);
        assertEquals(5005, pictureId(repair), "a retransmission carries what its packet was sent with");
        assertEquals(43, tl0(repair));
        byte[] early = descriptor(5001, 41, true);
        c.rewriteRepair(early, 0, early.length, 101);
        assertEquals(5001, pictureId(early), "from before any switch: unchanged");
    }

    @Test
    void aDescriptorWithoutPictureIdOrTl0IsLeftAlone() {
        Vp8Continuity c = new Vp8Continuity();
        byte[] plain = {(byte) 0x10, 0x01, 0x02};
        c.rewrite(plain, 0, plain.length, 0, 1);
        c.rewrite(plain, 0, plain.length, 1, 2);
        assertEquals(0x10, plain[0]);
        assertEquals(0x01, plain[1]);
        assertEquals(-1, Vp8Descriptor.tl0PicIdxAt(plain, 0, plain.length));
    }
}
