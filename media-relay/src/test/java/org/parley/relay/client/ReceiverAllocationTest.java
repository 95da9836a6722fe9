package org.parley.relay.client;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.parley.relay.api.JdkHttpRelayApi;
import org.parley.relay.api.RemoteRelayControl;
import org.parley.relay.control.ReceiverConstraints;
import org.parley.relay.control.ReceiverConstraints.SourceLimit;
import org.parley.relay.control.SourceKind;

/**
 * Java clients through the real relay: a receiver's last-N and constraints decide whose video it
 * gets (docs/relay.md, "Allocation"); a paused stream sends it nothing, audio always comes.
 */
class ReceiverAllocationTest {

    private static final int ROUNDS = 30;

    @Test
    @Timeout(90)
    void aReceiverWithLastNOneGetsOnlyTheSpeakersVideoAndFollowsTheSpeaker() throws Exception {
        try (RelayHarness h = new RelayHarness()) {
            RelayTestClient alice = h.join("alice", true);
            RelayTestClient carol = h.join("carol", true);
            RelayTestClient bob = h.join("bob", false);
            h.control().setReceiverConstraints(RelayHarness.CONFERENCE, "bob",
                    new ReceiverConstraints(1, List.of(), List.of(), List.of()));
            h.await(() -> alice.isPublisherConnected() && carol.isPublisherConnected() && bob.isSubscriberConnected(),
                    15_000, "clients did not connect");

            speakUntil(h, carol, alice, "bob<-carol");
            Map<String, Integer> got = settle(h, bob, carol, alice, "alice");
            assertTrue(got.getOrDefault("carol video", 0) >= ROUNDS / 2, "the speaker's video arrives: " + got);
            assertEquals(0, got.getOrDefault("alice video", 0), "last-N 1: only the speaker's video: " + got);
            assertTrue(got.getOrDefault("alice audio", 0) >= ROUNDS / 2, "audio of everyone always: " + got);

            speakUntil(h, alice, carol, "bob<-alice");
            got = settle(h, bob, alice, carol, "carol");
            assertTrue(got.getOrDefault("alice video", 0) >= ROUNDS / 2, "the new speaker's video: " + got);
            assertEquals(0, got.getOrDefault("carol video", 0), "the former speaker's is paused: " + got);
        }
    }

    @Test
    @Timeout(90)
    void aTileTurnedOffGetsNoPacketsOfItsVideoUntilTurnedOnAgain() throws Exception {
        try (RelayHarness h = new RelayHarness()) {
            tileOffAndOn(h);
        }
    }

    @Test
    @Timeout(90)
    void constraintsReachARelayControlledOverHttp() throws Exception {
        try (RelayHarness relay = new RelayHarness();
                JdkHttpRelayApi http = new JdkHttpRelayApi(relay.control(), "s3cret-for-tests");
                RemoteRelayControl remote = new RemoteRelayControl(http.base(), "s3cret-for-tests");
                RelayHarness h = new RelayHarness(remote)) {
            tileOffAndOn(h);
        }
    }

    private static void tileOffAndOn(RelayHarness h) throws Exception {
        RelayTestClient alice = h.join("alice", true);
        RelayTestClient carol = h.join("carol", true);
        RelayTestClient bob = h.join("bob", false);
        h.await(() -> alice.isPublisherConnected() && carol.isPublisherConnected() && bob.isSubscriberConnected(),
                15_000, "clients did not connect");
        Map<String, Integer> both = exchange(bob, alice, carol);
        for (int i = 0; i < 100 && both.getOrDefault("carol video", 0) == 0; i++) {
            h.ferry();
            both = exchange(bob, alice, carol);
        }
        assertTrue(both.getOrDefault("carol video", 0) > 0, "before: carol's video arrives: " + both);

        h.control().setReceiverConstraints(RelayHarness.CONFERENCE, "bob", new ReceiverConstraints(null,
                List.of(), List.of(), List.of(new SourceLimit("carol", SourceKind.VIDEO, 0, 0, true))));
        Map<String, Integer> off = settle(h, bob, alice, carol, "carol");
        assertEquals(0, off.getOrDefault("carol video", 0), "off: not one packet of carol's video: " + off);
        assertTrue(off.getOrDefault("carol audio", 0) >= ROUNDS / 2, "her audio still comes: " + off);
        assertTrue(off.getOrDefault("alice video", 0) >= ROUNDS / 2, "others' video still comes: " + off);

        h.control().setReceiverConstraints(RelayHarness.CONFERENCE, "bob", ReceiverConstraints.NONE);
        Map<String, Integer> on = Map.of();
        long deadline = System.nanoTime() + 10_000_000_000L;
        while (on.getOrDefault("carol video", 0) == 0 && System.nanoTime() < deadline) {
            on = exchange(bob, alice, carol);
        }
        assertTrue(on.getOrDefault("carol video", 0) > 0, "on again: carol's video resumes (keyframe): " + on);
    }

    /** {@code loud} speaks, {@code quiet} is nearly silent (RFC 6464 levels), until the event came. */
    private static void speakUntil(RelayHarness h, RelayTestClient loud, RelayTestClient quiet, String event)
            throws InterruptedException {
        long end = System.nanoTime() + 15_000_000_000L;
        while (System.nanoTime() < end && !h.speakers().contains(event)) {
            loud.sendAudio(new byte[] {1, 2, 3}, 10);
            quiet.sendAudio(new byte[] {1, 2, 3}, 120);
            Thread.sleep(20);
        }
        assertTrue(h.speakers().contains(event), "no " + event + ": " + h.speakers());
    }

    /**
     * Waits (bounded) until a round of frames brings nothing of {@code pausedName}'s video, the
     * allocation having applied, then measures {@link #ROUNDS} more rounds.
     */
    private static Map<String, Integer> settle(RelayHarness h, RelayTestClient receiver, RelayTestClient first,
            RelayTestClient second, String pausedName) throws InterruptedException {
        long deadline = System.nanoTime() + 10_000_000_000L;
        int quietRounds = 0;
        while (quietRounds < 5 && System.nanoTime() < deadline) {
            h.ferry();
            Map<String, Integer> round = exchange(receiver, first, second);
            quietRounds = round.getOrDefault(pausedName + " video", 0) == 0 ? quietRounds + 1 : 0;
        }
        Map<String, Integer> total = new HashMap<>();
        for (int i = 0; i < ROUNDS; i++) {
            exchange(receiver, first, second).forEach((k, v) -> total.merge(k, v, Integer::sum));
        }
        return total;
    }

    /**
     * Both publishers send a frame of audio and video (speaking levels kept: the first one the
     * louder); returns what the receiver got within the round, by "name kind".
     */
    private static Map<String, Integer> exchange(RelayTestClient receiver, RelayTestClient first,
            RelayTestClient second) throws InterruptedException {
        for (RelayTestClient c : List.of(first, second)) {
            c.sendAudio((c.name() + " a").getBytes(StandardCharsets.US_ASCII), c == first ? 10 : 120);
            c.sendVideoFrame((c.name() + " v").getBytes(StandardCharsets.US_ASCII));
        }
        Map<String, Integer> got = new HashMap<>();
        ReceivedPacket p;
        long until = System.nanoTime() + 40_000_000L;
        while (System.nanoTime() < until && (p = receiver.poll(10)) != null) {
            if (p.kind() == null) {
                continue;
            }
            String text = new String(p.frame(), StandardCharsets.US_ASCII);
            String who = text.contains("alice") ? "alice" : text.contains("carol") ? "carol" : "?";
            got.merge(who + " " + p.kind().name().toLowerCase(java.util.Locale.ROOT), 1, Integer::sum);
        }
        return got;
    }
}
