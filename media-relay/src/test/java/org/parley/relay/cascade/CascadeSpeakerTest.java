package org.parley.relay.cascade;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.parley.relay.RelayConfig;
import org.parley.relay.client.RelayHarness;
import org.parley.relay.client.RelayTestClient;
import org.parley.relay.control.ConferenceStats.EndpointStats;
import org.parley.relay.control.ConferenceStats.ForwardedStreamStats;
import org.parley.relay.control.LinkSpec;
import org.parley.relay.control.ReceiverConstraints;
import org.parley.relay.control.SourceKind;

/**
 * Active speaker and last-N across linked relays: alice speaks on relay A, carol and dave are
 * silent on relay B; B's dominant-speaker event names alice and bob on B, with last-N 1, gets
 * alice's video and not carol's or dave's (issue 16).
 */
class CascadeSpeakerTest {

    private static final RelayConfig LINKED = new RelayConfig("127.0.0.1", 0, 0).withCascadePort(0);
    /** RFC 6464 levels in -dBov: a speaker, and a microphone in a quiet room. */
    private static final int LOUD = 10;
    private static final int SILENT = 120;

    @Test
    @Timeout(90)
    void aLoudPublisherOnTheOtherRelayIsTheSpeakerAndFillsLastN() throws Exception {
        try (RelayHarness a = new RelayHarness(LINKED); RelayHarness b = new RelayHarness(LINKED)) {
            RelayTestClient carol = b.join("carol", true);
            RelayTestClient dave = b.join("dave", true);
            RelayTestClient bob = b.join("bob", false);
            RelayTestClient alice = a.join("alice", true);
            b.control().setReceiverConstraints(RelayHarness.CONFERENCE, "bob",
                    new ReceiverConstraints(1, List.of(), List.of(), List.of()));
            byte[] keys = new byte[LinkSocket.KEYING_MATERIAL_LENGTH];
            new SecureRandom().nextBytes(keys);
            a.control().linkConference(RelayHarness.CONFERENCE, "relay-b",
                    new LinkSpec(3, b.control().linkAddress(), keys, true));
            b.control().linkConference(RelayHarness.CONFERENCE, "relay-a",
                    new LinkSpec(3, a.control().linkAddress(), keys, false));
            a.await(alice::isPublisherConnected, 15_000, "alice did not connect");
            b.await(() -> carol.isPublisherConnected() && dave.isPublisherConnected() && bob.isSubscriberConnected(),
                    15_000, "clients on B did not connect");

            // everyone sends audio and video; only alice speaks
            Map<String, Long> sent = Map.of();
            boolean settled = false;
            long deadline = System.nanoTime() + 30_000_000_000L;
            while (!settled && System.nanoTime() < deadline) {
                round(a, b, bob, alice, carol, dave);
                sent = videoSentTo(b, "bob");
                settled = b.speakers().contains("bob<-alice") && sent.getOrDefault("alice", 0L) > 0
                        && targetLayers(b, "bob").getOrDefault("carol", 0) < 0
                        && targetLayers(b, "bob").getOrDefault("dave", 0) < 0;
            }
            assertTrue(b.speakers().contains("bob<-alice"),
                    "B's dominant-speaker event names alice, on relay A: " + b.speakers());
            assertTrue(b.speakers().stream().noneMatch(s -> s.endsWith("<-carol") || s.endsWith("<-dave")),
                    "the silent publishers on B never lead: " + b.speakers());
            Map<String, Integer> targets = targetLayers(b, "bob");
            assertTrue(targets.getOrDefault("alice", -1) >= 0, "last-N 1: bob gets the speaker's video: " + targets);
            assertEquals(-1, targets.get("carol"), "carol's video is paused for bob: " + targets);
            assertEquals(-1, targets.get("dave"), "dave's video is paused for bob: " + targets);

            // and what bob actually receives from here on: alice's video, nothing of carol's or dave's
            Map<String, Long> before = videoSentTo(b, "bob");
            for (int i = 0; i < 30; i++) {
                round(a, b, bob, alice, carol, dave);
            }
            Map<String, Long> after = videoSentTo(b, "bob");
            assertTrue(after.get("alice") - before.get("alice") >= 15, "alice's video flows to bob: " + after);
            assertEquals(before.get("carol"), after.get("carol"), "no packet of carol's video: " + after);
            assertEquals(before.get("dave"), after.get("dave"), "no packet of dave's video: " + after);
        }
    }

    /** One frame of audio and video from each publisher; what reaches bob is drained. */
    private static void round(RelayHarness a, RelayHarness b, RelayTestClient bob, RelayTestClient alice,
            RelayTestClient... silent) throws InterruptedException {
        alice.sendAudio("alice a".getBytes(StandardCharsets.US_ASCII), LOUD);
        alice.sendVideoFrame("alice v".getBytes(StandardCharsets.US_ASCII));
        for (RelayTestClient c : silent) {
            c.sendAudio((c.name() + " a").getBytes(StandardCharsets.US_ASCII), SILENT);
            c.sendVideoFrame((c.name() + " v").getBytes(StandardCharsets.US_ASCII));
        }
        a.ferry();
        b.ferry();
        long end = System.nanoTime() + 20_000_000L;
        while (System.nanoTime() < end) {
            if (bob.poll(5) == null) {
                break;
            }
        }
        Thread.sleep(10);
    }

    /** Video packets the relay sent the receiver, by publisher. */
    private static Map<String, Long> videoSentTo(RelayHarness h, String receiver) {
        return video(h, receiver, ForwardedStreamStats::packetsSent);
    }

    /** The receiver's target layer of each publisher's video (-1: paused). */
    private static Map<String, Integer> targetLayers(RelayHarness h, String receiver) {
        return video(h, receiver, ForwardedStreamStats::targetLayer);
    }

    private static <T> Map<String, T> video(RelayHarness h, String receiver,
            java.util.function.Function<ForwardedStreamStats, T> value) {
        Map<String, T> out = new HashMap<>();
        for (ForwardedStreamStats f : forwarded(h, receiver)) {
            if (f.kind() == SourceKind.VIDEO) {
                out.put(f.sourceEndpointId(), value.apply(f));
            }
        }
        return out;
    }

    private static List<ForwardedStreamStats> forwarded(RelayHarness h, String receiver) {
        for (EndpointStats e : h.control().stats(RelayHarness.CONFERENCE).endpoints()) {
            if (e.endpointId().equals(receiver)) {
                return e.forwarded();
            }
        }
        return List.of();
    }
}
