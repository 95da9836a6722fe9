package org.parley.relay.rtp;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/** Decodes the feedback the recorder writes, as a sender's TWCC parser would. */
class TwccRecorderTest {

    @Test
    void feedbackReportsReceivedAndLostPacketsWithArrivalDeltas() {
        TwccRecorder r = new TwccRecorder();
        long t0 = 1_000_000_000L;
        r.record(65534, t0);
        r.record(65535, t0 + 1000);
        // 0 is lost
        r.record(1, t0 + 200_000); // 200 ms later: a large delta
        byte[] b = new byte[1500];
        int len = r.writeFeedback(b, 0, 1, 2);
        assertTrue(len > 0 && len % 4 == 0);
        assertTrue(RtcpPacket.isValidCompound(b, 0, len));
        assertEquals(RtcpPacket.RTPFB, RtcpPacket.type(b, 0));
        assertEquals(RtcpPacket.FMT_TWCC, RtcpPacket.countOrFormat(b, 0));
        assertEquals(65534, RtpPacket.u16(b, 12), "base sequence");
        assertEquals(4, RtpPacket.u16(b, 14), "status count covers the lost one");
        int chunk = RtpPacket.u16(b, 20);
        assertEquals(0xC000, chunk & 0xC000, "two-bit status vector chunk");
        assertEquals(1, (chunk >> 12) & 3, "first: small delta");
        assertEquals(1, (chunk >> 10) & 3, "second: small delta");
        assertEquals(0, (chunk >> 8) & 3, "third: not received");
        assertEquals(2, (chunk >> 6) & 3, "fourth: large delta");
        long referenceUs = ((b[16] & 0xff) << 16 | (b[17] & 0xff) << 8 | (b[18] & 0xff)) * 64_000L;
        int d = 22;
        long first = referenceUs + (b[d] & 0xff) * 250L;
        assertTrue(Math.abs(first - t0) < 250, "arrival of the first packet within one tick");
        assertEquals(4, b[d + 1] & 0xff, "1 ms = 4 ticks of 250 us");
        int large = (short) RtpPacket.u16(b, d + 2);
        assertEquals(796, large, "199 ms = 796 ticks");
        assertEquals(0, r.writeFeedback(b, 0, 1, 2), "nothing new to report");
    }
}
