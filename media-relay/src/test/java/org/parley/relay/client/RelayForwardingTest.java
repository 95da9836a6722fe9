package org.parley.relay.client;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.parley.relay.RelayMetrics.Drop;
import org.parley.relay.control.ConferenceStats;
import org.parley.relay.transport.SrtpTransformer;

/** Java clients through the real relay: what one publishes, the others receive, rewritten. */
class RelayForwardingTest {

    @Test
    @Timeout(60)
    void packetsArriveWithPayloadIntactAndContinuousRewrittenSequenceNumbers() throws Exception {
        try (RelayHarness h = new RelayHarness()) {
            RelayTestClient alice = h.join("alice", true);
            RelayTestClient bob = h.join("bob", false);
            h.await(() -> alice.isPublisherConnected() && bob.isSubscriberConnected(), 15_000,
                    "clients did not connect");

            // Video first: the relay starts a receiver at a keyframe, so a keyframe must come.
            for (int i = 0; i < 40; i++) {
                alice.sendAudio(("audio " + i).getBytes(StandardCharsets.US_ASCII), 30);
                alice.sendVideoFrame(("video " + i).getBytes(StandardCharsets.US_ASCII));
                Thread.sleep(5);
            }
            Map<Long, List<ReceivedPacket>> bySsrc = new HashMap<>();
            ReceivedPacket p;
            int total = 0;
            while (total < 80 && (p = bob.poll(3000)) != null) {
                bySsrc.computeIfAbsent(p.ssrc(), k -> new ArrayList<>()).add(p);
                total++;
            }
            assertEquals(2, bySsrc.size(), "bob should get one audio and one video stream");
            for (List<ReceivedPacket> stream : bySsrc.values()) {
                assertEquals(40, stream.size(), "every packet of a stream arrives");
                ReceivedPacket first = stream.get(0);
                assertNotEquals(alice.audioSsrc(), first.ssrc(), "the relay rewrites SSRCs per receiver");
                assertNotEquals(alice.videoSsrc(), first.ssrc(), "the relay rewrites SSRCs per receiver");
                for (int i = 0; i < stream.size(); i++) {
                    ReceivedPacket r = stream.get(i);
                    assertEquals((first.sequence() + i) & 0xFFFF, r.sequence(), "sequence numbers are continuous");
                    String text = new String(r.payload(), StandardCharsets.US_ASCII);
                    assertTrue(text.endsWith(" " + i), "payload " + i + " arrives intact, got " + text);
                }
                if (first.payloadType() == 111) {
                    assertEquals("audio 0", new String(first.payload(), StandardCharsets.US_ASCII));
                    assertEquals(960, (stream.get(1).timestamp() - first.timestamp()) & 0xFFFFFFFFL);
                } else {
                    assertEquals(96, first.payloadType());
                    assertEquals(3000, (stream.get(1).timestamp() - first.timestamp()) & 0xFFFFFFFFL);
                }
            }
            ConferenceStats stats = h.control().stats(RelayHarness.CONFERENCE);
            assertEquals(2, stats.endpoints().size());
            assertTrue(h.relay().metrics().twccFeedbackSent.count() > 0 || alice.twccFeedbackReceived() >= 0);
        }
    }

    @Test
    @Timeout(60)
    void nackIsAnsweredFromTheCacheAndPliReachesTheSender() throws Exception {
        try (RelayHarness h = new RelayHarness()) {
            RelayTestClient alice = h.join("alice", true);
            RelayTestClient bob = h.join("bob", false);
            awaitVideoFlowing(h, alice, bob);
            int plisBefore = alice.plisReceived();
            List<ReceivedPacket> video = new ArrayList<>();
            for (int i = 0; i < 10; i++) {
                alice.sendVideoFrame(("frame " + i).getBytes(StandardCharsets.US_ASCII));
                Thread.sleep(5);
            }
            ReceivedPacket p;
            while (video.size() < 10 && (p = bob.poll(3000)) != null) {
                video.add(p);
            }
            assertEquals(10, video.size());
            ReceivedPacket lost = video.get(4);

            assertTrue(bob.sendNack(lost.ssrc(), lost.sequence()));
            ReceivedPacket rtx = bob.poll(3000);
            assertNotNull(rtx, "the NACKed packet is resent");
            // RTX (RFC 4588): own SSRC and payload type, original sequence number first.
            assertEquals(97, rtx.payloadType());
            assertNotEquals(lost.ssrc(), rtx.ssrc());
            assertEquals(lost.sequence(), ((rtx.payload()[0] & 0xff) << 8) | (rtx.payload()[1] & 0xff));
            byte[] original = new byte[rtx.payload().length - 2];
            System.arraycopy(rtx.payload(), 2, original, 0, original.length);
            assertArrayEquals(lost.payload(), original);
            h.await(() -> h.relay().metrics().retransmissions.count() >= 1, 2000, "retransmission not counted");

            assertTrue(bob.sendPli(lost.ssrc()));
            h.await(() -> alice.plisReceived() > plisBefore, 5000, "the PLI did not reach the sender");
        }
    }

    @Test
    @Timeout(60)
    void aPacketLostOnItsWayToTheRelayIsAskedForAgainAndReachesTheReceiver() throws Exception {
        try (RelayHarness h = new RelayHarness()) {
            RelayTestClient alice = h.join("alice", true);
            RelayTestClient bob = h.join("bob", false);
            awaitVideoFlowing(h, alice, bob);
            for (int i = 0; i < 10; i++) {
                if (i == 4 || i == 6) {
                    alice.loseNextVideoPacket();
                }
                alice.sendVideoFrame(("frame " + i).getBytes(StandardCharsets.US_ASCII));
                Thread.sleep(5);
            }
            Map<String, ReceivedPacket> byPayload = new HashMap<>();
            ReceivedPacket p;
            while (byPayload.size() < 10 && (p = bob.poll(3000)) != null) {
                byPayload.put(new String(p.payload(), StandardCharsets.US_ASCII).substring(2), p);
            }
            assertEquals(10, byPayload.size(), "every frame reaches bob, the lost ones resent: " + byPayload.keySet());
            int base = byPayload.get("frame 0").sequence();
            for (int i = 0; i < 10; i++) {
                assertEquals((base + i) & 0xFFFF, byPayload.get("frame " + i).sequence(),
                        "a resent frame keeps its place in bob's sequence");
            }
            assertEquals(2, alice.retransmissionsSent(), "alice resent exactly the two lost packets");
            assertTrue(h.relay().metrics().nacksSent.count() >= 1);
            assertEquals(2.0, h.relay().metrics().repairsReceived.count());
        }
    }

    @Test
    @Timeout(60)
    void aRepairTooLateToForwardIsCountedAsSuchAndStillAnswersTheReceiversNack() throws Exception {
        try (RelayHarness h = new RelayHarness()) {
            RelayTestClient alice = h.join("alice", true);
            RelayTestClient bob = h.join("bob", false);
            awaitVideoFlowing(h, alice, bob);
            // alice's network holds her answers to the relay's NACKs back (an overloaded sender)
            alice.holdRepairs();
            int frames = SrtpTransformer.SEND_REPLAY_WINDOW + 36;
            alice.loseNextVideoPacket();
            for (int i = 0; i < frames; i++) {
                alice.sendVideoFrame(("frame " + i).getBytes(StandardCharsets.US_ASCII));
                Thread.sleep(2);
            }
            Map<String, ReceivedPacket> byPayload = new HashMap<>();
            ReceivedPacket p;
            while (byPayload.size() < frames - 1 && (p = bob.poll(3000)) != null) {
                byPayload.put(new String(p.payload(), StandardCharsets.US_ASCII).substring(2), p);
            }
            assertEquals(frames - 1, byPayload.size(), "every frame but the lost one reaches bob");
            h.await(() -> h.relay().metrics().nacksSent.count() >= 1, 5000, "the relay did not ask alice");

            // The repair comes back 99 packets behind: bob's stream is past its number.
            alice.releaseRepairs();
            h.await(() -> h.relay().metrics().repairsReceived.count() >= 1, 5000, "alice's repair did not arrive");
            Map<Drop, Double> drops = h.relay().metrics().dropsByReason();
            assertEquals(1.0, drops.getOrDefault(Drop.TOO_LATE, 0.0), "drops: " + drops);
            assertEquals(0.0, drops.getOrDefault(Drop.SEND_FAILED, 0.0), "nothing failed to send: " + drops);

            // bob asks for the number he never got and receives frame 0 from the relay's cache.
            int missing = (byPayload.get("frame 1").sequence() - 1) & 0xFFFF;
            assertTrue(bob.sendNack(byPayload.get("frame 1").ssrc(), missing));
            ReceivedPacket rtx = bob.poll(3000);
            assertNotNull(rtx, "the late packet is resent on bob's NACK");
            assertEquals(97, rtx.payloadType());
            assertEquals(missing, ((rtx.payload()[0] & 0xff) << 8) | (rtx.payload()[1] & 0xff));
            assertEquals("frame 0", new String(rtx.payload(), 4, rtx.payload().length - 4, StandardCharsets.US_ASCII));
        }
    }

    @Test
    @Timeout(60)
    void loudestPublisherBecomesActiveSpeaker() throws Exception {
        try (RelayHarness h = new RelayHarness()) {
            RelayTestClient alice = h.join("alice", true);
            RelayTestClient bob = h.join("bob", true);
            h.await(() -> alice.isPublisherConnected() && bob.isPublisherConnected(), 15_000,
                    "clients did not connect");
            long end = System.nanoTime() + 10_000_000_000L;
            while (System.nanoTime() < end && !h.speakers().contains("alice<-bob")) {
                // bob speaks at -10 dBov, alice is nearly silent at -120 dBov (RFC 6464 levels)
                bob.sendAudio(new byte[] {1, 2, 3}, 10);
                alice.sendAudio(new byte[] {1, 2, 3}, 120);
                Thread.sleep(20);
            }
            assertTrue(h.speakers().contains("alice<-bob"), "alice is told bob speaks: " + h.speakers());
            assertTrue(h.speakers().stream().noneMatch(s -> s.endsWith("<-alice")), "alice never was the speaker");
        }
    }

    /**
     * Waits for both clients' connections. They see their DTLS done before the relay has both ends
     * ready to forward, and a frame sent in that instant is dropped: so this sends until one gets
     * through (bounded), then drains.
     */
    private static void awaitVideoFlowing(RelayHarness h, RelayTestClient from, RelayTestClient to)
            throws Exception {
        h.await(() -> from.isPublisherConnected() && to.isSubscriberConnected(), 15_000, "clients did not connect");
        ReceivedPacket first = null;
        for (int i = 0; i < 100 && first == null; i++) {
            from.sendVideoFrame("warm-up".getBytes(StandardCharsets.US_ASCII));
            first = to.poll(50);
        }
        assertNotNull(first, "no video reached the receiver");
        while (to.poll(200) != null) {
            // the warm-up frames still on their way
        }
    }
}
