package org.parley.relay.sdp;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;

import com.code_intelligence.jazzer.junit.FuzzTest;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.parley.relay.control.RelayException;
import org.parley.relay.control.SourceKind;

/**
 * Coverage-guided fuzzing of the SDP parser and the relay's offer/answer code (docs/fuzzing.md).
 * Seeds in {@code SdpOfferFuzzTestInputs/answer}: Chrome's publisher offer, a Firefox-shaped
 * offer, an answer as a subscriber sends it. The contract: a refusal is a {@link RelayException}
 * with {@code BAD_SDP} and nothing else; an answer the relay writes parses again as SDP with one
 * m-section per offered one, in the same order (RFC 3264 section 6).
 */
class SdpOfferFuzzTest {

    private static final LocalTransport LOCAL = new LocalTransport("ufrag", "password-password-pass", "AB:CD",
            List.of("candidate:1 1 udp 2130706431 127.0.0.1 10000 typ host generation 0"));

    @FuzzTest(maxDuration = "20s")
    void answer(byte[] input) {
        String sdp = new String(input, StandardCharsets.UTF_8);
        try {
            SubscriberAnswer.parse(sdp);
        } catch (RelayException e) {
            assertEquals(RelayException.Reason.BAD_SDP, e.reason(), e.getMessage());
        }
        SessionDescription offer;
        SdpAnswerer.Result result;
        try {
            offer = SessionDescription.parse(sdp);
            result = SdpAnswerer.answer(sdp, LOCAL, mid -> mid.hashCode() % 2 == 0 ? SourceKind.VIDEO : null, 2);
        } catch (RelayException e) {
            assertEquals(RelayException.Reason.BAD_SDP, e.reason(), e.getMessage());
            return;
        }
        assertEquals(16, result.offer().forwardingIdMap().length);
        SessionDescription answer = SessionDescription.parse(result.answer());
        assertEquals(offer.media().size(), answer.media().size(), "one answer m-section per offered one");
        for (int i = 0; i < offer.media().size(); i++) {
            assertNotNull(answer.media().get(i).mid());
            assertEquals(offer.media().get(i).mid(), answer.media().get(i).mid(), "answer keeps the offer's order");
        }
    }

    /**
     * Found by the fuzzer in CI: a field made only of its separator ({@code a=extmap:/ ...}, the
     * m= line's port {@code /}, {@code a=ssrc: }) threw ArrayIndexOutOfBoundsException out of the
     * answerer. Each is now a BAD_SDP refusal or a field skipped, never another exception.
     */
    @Test
    void fieldsMadeOnlyOfTheirSeparatorAreRefusedOrSkipped() throws Exception {
        String offer = Files.readString(Path.of(getClass().getResource("SdpOfferFuzzTestInputs/answer/chrome-audio-only-offer").toURI()));
        List<String> broken = List.of(
                offer.replace("a=extmap:2 ", "a=extmap:/ "),
                offer.replace("m=audio 9 ", "m=audio / "),
                offer.replaceFirst("a=ssrc:[0-9]+ cname:\\S+", "a=ssrc: "));
        for (String sdp : broken) {
            assertFalse(sdp.equals(offer), "the seed still has the line this test breaks");
            try {
                SdpAnswerer.answer(sdp, LOCAL, mid -> null, 1);
            } catch (RelayException e) {
                assertEquals(RelayException.Reason.BAD_SDP, e.reason(), e.getMessage());
            }
        }
        answer(Files.readAllBytes(Path.of(getClass().getResource("SdpOfferFuzzTestInputs/answer/crash-extmap-id-only-a-slash").toURI())));
    }

    @Test
    void everyOfferSeedIsAnswered() throws Exception {
        try (Stream<Path> seeds = Files.list(Path.of(getClass().getResource("SdpOfferFuzzTestInputs/answer").toURI()))) {
            for (Path seed : seeds.filter(p -> p.getFileName().toString().contains("offer")).toList()) {
                SdpAnswerer.answer(Files.readString(seed), LOCAL, mid -> null, 1);
            }
        }
    }
}
