package org.parley.relay.rtp;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Reads transport-wide feedback as the relay's recorder and a browser write it. */
class TwccFeedbackTest {

    private static List<long[]> read(byte[] b, int len) {
        List<long[]> out = new ArrayList<>();
        assertTrue(TwccFeedback.read(b, 0, len, (seq, arrival) -> out.add(new long[] {seq, arrival})));
        return out;
    }

    @Test
    void readsWhatTheRecorderWritesAcrossTheSequenceWrap() {
        TwccRecorder r = new TwccRecorder();
        long t0 = 1_000_000_000L;
        r.record(65534, t0);
        r.record(65535, t0 + 1000);
        r.record(1, t0 + 200_000); // 0 lost, then a large delta
        byte[] b = new byte[1500];
        int len = r.writeFeedback(b, 0, 1, 2);
        List<long[]> packets = read(b, len);
        assertEquals(4, packets.size());
        assertArrayEquals(new long[] {65534, 65535, 0, 1},
                packets.stream().mapToLong(p -> p[0]).toArray());
        assertEquals(-1, packets.get(2)[1], "0 was not received");
        assertEquals(1000, packets.get(1)[1] - packets.get(0)[1], "1 ms apart");
        assertEquals(199_000, packets.get(3)[1] - packets.get(1)[1], "199 ms apart, a large delta");
        assertTrue(Math.abs(packets.get(0)[1] - t0) < 250, "arrival within one 250 us tick");
    }

    @Test
    void readsRunLengthAndOneBitChunksWithPadding() {
        // base 100, 20 packets: a run of 6 received (small delta), then a one-bit vector of 14
        // whose first and last are received. Deltas: 8 x 1 tick. Padded to a word with P set.
        byte[] b = new byte[64];
        int at = 20;
        RtpPacket.putShort(b, at, 0x2000 | 6); // run-length, symbol 1, run 6
        RtpPacket.putShort(b, at + 2, 0x8000 | 0x2000 | 0x0001); // one-bit: first and last of 14
        int d = at + 4;
        for (int k = 0; k < 8; k++) {
            b[d++] = 4;
        }
        int len = d - 0;
        int pad = (4 - len % 4) % 4;
        pad = pad == 0 ? 4 : pad;
        b[len + pad - 1] = (byte) pad;
        len += pad;
        b[0] = (byte) (0x80 | 0x20 | RtcpPacket.FMT_TWCC);
        b[1] = (byte) RtcpPacket.RTPFB;
        RtpPacket.putShort(b, 2, len / 4 - 1);
        RtpPacket.putShort(b, 12, 100);
        RtpPacket.putShort(b, 14, 20);
        b[18] = 1; // reference time 64 ms
        List<long[]> packets = read(b, len);
        assertEquals(20, packets.size());
        for (int i = 0; i < 6; i++) {
            assertEquals(64_000 + (i + 1) * 1000L, packets.get(i)[1]);
        }
        assertEquals(71_000, packets.get(6)[1]);
        for (int i = 7; i < 19; i++) {
            assertEquals(-1, packets.get(i)[1], "packet " + i + " lost");
        }
        assertEquals(72_000, packets.get(19)[1]);
        assertEquals(119, packets.get(19)[0]);
    }

    @Test
    void malformedFeedbackIsRefusedWithoutReportingAnything() {
        TwccRecorder r = new TwccRecorder();
        for (int i = 0; i < 10; i++) {
            r.record(i, 1_000_000 + i * 1000L);
        }
        byte[] good = new byte[1500];
        int len = r.writeFeedback(good, 0, 1, 2);
        int[] reported = {0};
        TwccFeedback.Visitor count = (seq, arrival) -> reported[0]++;

        assertFalse(TwccFeedback.read(good, 0, 19, count), "shorter than the fixed part");
        byte[] more = good.clone();
        RtpPacket.putShort(more, 14, 500); // claims 500 packets: chunks run out
        assertFalse(TwccFeedback.read(more, 0, len, count));
        byte[] truncated = good.clone();
        truncated[0] &= ~0x20;
        assertFalse(TwccFeedback.read(truncated, 0, len - 8, count), "deltas cut off");
        byte[] reserved = good.clone();
        RtpPacket.putShort(reserved, 20, 0xC000 | (3 << 12)); // first symbol 3: reserved
        assertFalse(TwccFeedback.read(reserved, 0, len, count));
        byte[] badPad = good.clone();
        badPad[0] |= 0x20;
        badPad[len - 1] = (byte) 200;
        assertFalse(TwccFeedback.read(badPad, 0, len, count), "padding longer than the message");
        assertEquals(0, reported[0], "nothing reported from refused messages");
        assertTrue(TwccFeedback.read(good, 0, len, count));
        assertEquals(10, reported[0]);
    }
}
