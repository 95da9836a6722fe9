package org.parley.relay.rtp;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

class StreamRewriterTest {

    private static byte[] packet(long ssrc, int seq, long ts) {
        byte[] b = new byte[20];
        b[0] = (byte) 0x80;
        b[1] = 96;
        RtpPacket.setSsrc(b, 0, ssrc);
        RtpPacket.setSequence(b, 0, seq);
        RtpPacket.setTimestamp(b, 0, ts);
        return b;
    }

    @Test
    void receiverSeesOneContinuousStreamAcrossASourceSwitch() {
        StreamRewriter r = new StreamRewriter(0xABCDEF01L, 90000);
        byte[] a1 = packet(1, 65534, 1000);
        byte[] a2 = packet(1, 65535, 4000);
        byte[] a3 = packet(1, 0, 7000);
        r.rewrite(a1, 0, 0);
        r.rewrite(a2, 0, 33_000_000L);
        r.rewrite(a3, 0, 66_000_000L);
        int base = RtpPacket.sequence(a1, 0);
        assertEquals((base + 1) & 0xFFFF, RtpPacket.sequence(a2, 0));
        assertEquals((base + 2) & 0xFFFF, RtpPacket.sequence(a3, 0), "wrap-around stays continuous");
        assertEquals(3000, (RtpPacket.timestamp(a2, 0) - RtpPacket.timestamp(a1, 0)) & 0xFFFFFFFFL);

        // The same user's new device: a new SSRC with unrelated numbers, 100 ms later.
        byte[] b1 = packet(2, 12345, 999_999);
        r.rewrite(b1, 0, 166_000_000L);
        assertEquals(0xABCDEF01L, RtpPacket.ssrc(b1, 0));
        assertEquals((base + 3) & 0xFFFF, RtpPacket.sequence(b1, 0), "no gap, no jump at the switch");
        assertEquals(9000, (RtpPacket.timestamp(b1, 0) - RtpPacket.timestamp(a3, 0)) & 0xFFFFFFFFL,
                "timestamp advances by the 100 ms that passed");
        assertEquals(12345, r.inSequence(RtpPacket.sequence(b1, 0)), "NACKs map back to the source");
    }

    @Test
    void retransmittedOlderPacketKeepsItsPlace() {
        StreamRewriter r = new StreamRewriter(5, 48000);
        byte[] p1 = packet(9, 100, 0);
        byte[] p3 = packet(9, 102, 1920);
        byte[] p2 = packet(9, 101, 960);
        r.rewrite(p1, 0, 0);
        r.rewrite(p3, 0, 1);
        r.rewrite(p2, 0, 2);
        assertEquals((RtpPacket.sequence(p1, 0) + 1) & 0xFFFF, RtpPacket.sequence(p2, 0));
        assertEquals((RtpPacket.sequence(p1, 0) + 2) & 0xFFFF, r.highestOutSequence());
    }

    @Test
    void aNumberLeftOpenForAPacketLostUpstreamMapsToItsSourceNumber() {
        StreamRewriter r = new StreamRewriter(5, 90000);
        byte[] p1 = packet(9, 100, 0);
        byte[] p4 = packet(9, 103, 9000);
        r.rewrite(p1, 0, 0);
        r.rewrite(p4, 0, 1);
        int out1 = RtpPacket.sequence(p1, 0);
        // 101 and 102 never reached the relay: the receiver NACKs their numbers, which were never sent
        assertEquals(101, r.inSequence((out1 + 1) & 0xFFFF));
        assertEquals(102, r.inSequence((out1 + 2) & 0xFFFF));
        assertEquals(-1, r.inSequence((out1 + 4) & 0xFFFF), "a number not used yet maps to nothing");

        // also once a packet was skipped on purpose (104: the numbers close up behind it)
        byte[] p5 = packet(9, 104, 12000);
        byte[] p7 = packet(9, 106, 18000);
        r.skip(p5, 0);
        r.rewrite(p7, 0, 2);
        int out7 = RtpPacket.sequence(p7, 0);
        assertEquals((out1 + 4) & 0xFFFF, (out7 - 1) & 0xFFFF, "104 took no number");
        assertEquals(105, r.inSequence((out7 - 1) & 0xFFFF));
    }

    @Test
    void nacksBeforeASwitchMapToTheStreamThatFedThem() {
        StreamRewriter r = new StreamRewriter(77, 90000);
        byte[] low = packet(1, 500, 10_000);
        byte[] high = packet(2, 9000, 777_000);
        r.rewrite(low, 0, 0);
        r.rewrite(high, 0, 33_000_000L);
        int lowOut = RtpPacket.sequence(low, 0);
        int highOut = RtpPacket.sequence(high, 0);
        assertEquals(1L, r.inSsrc(lowOut));
        assertEquals(500, r.inSequence(lowOut));
        assertEquals(RtpPacket.timestamp(low, 0), r.outTimestamp(lowOut, 10_000));
        assertEquals(2L, r.inSsrc(highOut));
        assertEquals(9000, r.inSequence(highOut));
        assertEquals(RtpPacket.timestamp(high, 0), r.outTimestamp(highOut, 777_000));
    }

    @Test
    void aLatePacketOlderThanTheSwitchIsNotSent() {
        StreamRewriter r = new StreamRewriter(77, 90000);
        r.rewrite(packet(1, 500, 0), 0, 0);
        r.rewrite(packet(2, 9000, 0), 0, 1);
        byte[] late = packet(2, 8999, 0);
        org.junit.jupiter.api.Assertions.assertFalse(r.rewrite(late, 0, 2),
                "its number would land on one the previous stream used");
        assertEquals(2L, RtpPacket.ssrc(late, 0), "left as it was");
    }

    @Test
    void theSwitchIsForgottenLongAfterSoNumbersNeverLookOld() {
        StreamRewriter r = new StreamRewriter(77, 90000);
        r.rewrite(packet(1, 0, 0), 0, 0);
        for (int i = 0; i < 70_000; i++) {
            org.junit.jupiter.api.Assertions.assertTrue(r.rewrite(packet(2, i & 0xFFFF, i * 3000L), 0, i + 1),
                    "packet " + i + " of the new stream is sent, across a sequence wrap-around");
        }
    }
}
