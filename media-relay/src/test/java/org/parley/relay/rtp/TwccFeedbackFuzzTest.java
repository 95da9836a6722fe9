package org.parley.relay.rtp;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.code_intelligence.jazzer.junit.FuzzTest;

/**
 * Coverage-guided fuzzing of the transport-wide feedback reader (docs/fuzzing.md): a receiver's
 * RTCP compound, each TWCC part read as the subscriber side reads it, and the bytes read whole as
 * one message. Seeds in {@code TwccFeedbackFuzzTestInputs/read}: Chrome's RR+TWCC, messages the
 * relay's recorder writes (two-bit vectors, large deltas, losses), run-length and one-bit chunks.
 *
 * <p>The contract: no exception; a refused message reports nothing; an accepted one reports
 * exactly its status count of packets, numbered on from its base sequence number.
 */
class TwccFeedbackFuzzTest {

    @FuzzTest(maxDuration = "20s")
    void read(byte[] input) {
        byte[] b = input.clone();
        if (RtcpPacket.isValidCompound(b, 0, b.length)) {
            for (int at = 0; at < b.length; at += RtcpPacket.length(b, at)) {
                if (TwccFeedback.isTwcc(b, at)) {
                    check(b, at, RtcpPacket.length(b, at));
                }
            }
        }
        check(b, 0, b.length);
    }

    private static void check(byte[] b, int at, int len) {
        int[] count = {0};
        int[] expected = {len >= TwccFeedback.MIN_LENGTH ? TwccFeedback.baseSequence(b, at) : 0};
        boolean ok = TwccFeedback.read(b, at, len, (seq, arrival) -> {
            assertEquals(expected[0], seq, "packets reported in sequence order");
            expected[0] = (expected[0] + 1) & 0xFFFF;
            count[0]++;
        });
        assertEquals(ok, TwccFeedback.isValid(b, at, len), "read and isValid agree");
        if (ok) {
            assertEquals(TwccFeedback.statusCount(b, at), count[0], "one report per packet status");
        } else {
            assertEquals(0, count[0], "a refused message reports nothing");
        }
    }
}
