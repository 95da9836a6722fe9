package org.parley.relay.client;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.util.Set;
import java.util.concurrent.ConcurrentLinkedQueue;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.parley.relay.control.EndpointListener;
import org.parley.relay.control.RelayException;
import org.parley.relay.control.SourceKind;

/** Mute, subscriptions and expiry of silent endpoints, seen from the clients. */
class EndpointLifecycleTest {

    @Test
    @Timeout(60)
    void mutedSourceIsNotForwardedAndUnmutedIsAgain() throws Exception {
        try (RelayHarness h = new RelayHarness()) {
            RelayTestClient alice = h.join("alice", true);
            RelayTestClient bob = h.join("bob", false);
            h.await(() -> alice.isPublisherConnected() && bob.isSubscriberConnected(), 15_000, "no connection");
            h.control().setSourceMuted(RelayHarness.CONFERENCE, "alice", SourceKind.AUDIO, true);
            for (int i = 0; i < 5; i++) {
                alice.sendAudio("muted".getBytes(StandardCharsets.US_ASCII), 30);
            }
            assertNull(bob.poll(500), "nothing of a muted source reaches receivers");
            h.control().setSourceMuted(RelayHarness.CONFERENCE, "alice", SourceKind.AUDIO, false);
            alice.sendAudio("back".getBytes(StandardCharsets.US_ASCII), 30);
            ReceivedPacket p = bob.poll(3000);
            assertNotNull(p);
            assertEquals("back", new String(p.payload(), StandardCharsets.US_ASCII));
        }
    }

    @Test
    @Timeout(60)
    void unsubscribedPublisherIsRemovedFromTheReceiversOffer() throws Exception {
        try (RelayHarness h = new RelayHarness()) {
            ConcurrentLinkedQueue<String> offers = new ConcurrentLinkedQueue<>();
            h.join("alice", true);
            h.control().allocateEndpoint(RelayHarness.CONFERENCE, "carol", offers::add);
            assertTrue(offers.peek() != null && offers.peek().contains("a=msid:alice alice-video"),
                    "carol's first offer carries alice's camera");
            RelayTestClient carol = new RelayTestClient("carol", InetAddress.getLoopbackAddress());
            try {
                h.control().acceptSubscriberAnswer(RelayHarness.CONFERENCE, "carol",
                        carol.answerSubscriberOffer(offers.poll()));
                h.control().setSubscriptions(RelayHarness.CONFERENCE, "carol", Set.of());
                String offer = offers.poll();
                assertNotNull(offer, "a new offer when the subscriptions change");
                assertTrue(!offer.contains("a=msid:alice") && offer.contains("a=inactive"),
                        "alice's sections become inactive");
                assertThrows(RelayException.class, () -> h.control().acceptSubscriberAnswer(RelayHarness.CONFERENCE,
                        "nobody", "v=0"));
            } finally {
                carol.close();
            }
        }
    }

    @Test
    @Timeout(60)
    void silentEndpointIsExpiredAndSignalingTold() throws Exception {
        try (RelayHarness h = new RelayHarness()) {
            RelayTestClient alice = h.join("alice", true);
            h.await(alice::isPublisherConnected, 15_000, "no connection");
            ConcurrentLinkedQueue<String> failures = new ConcurrentLinkedQueue<>();
            h.control().allocateEndpoint(RelayHarness.CONFERENCE, "ghost", new EndpointListener() {
                @Override
                public void onSubscriberOffer(String sdpOffer) {
                }

                @Override
                public void onTransportFailed(String reason) {
                    failures.add(reason);
                }
            });
            var local = h.relay().localControl();
            // Time is moved, not slept: the ghost never sends a packet, alice keeps sending.
            local.expireSilentEndpoints(h.clock().millis(), 30_000);
            h.clock().advance(20_000);
            local.expireSilentEndpoints(h.clock().millis(), 30_000);
            assertTrue(failures.isEmpty(), "not yet silent for 30 s");
            alice.sendAudio(new byte[] {1}, 50);
            Thread.sleep(200);
            h.clock().advance(20_000);
            local.expireSilentEndpoints(h.clock().millis(), 30_000);
            assertEquals(1, failures.size(), "the silent endpoint is expired and signaling told");
            assertEquals(1, h.control().stats(RelayHarness.CONFERENCE).endpoints().size(), "alice stays");
            assertThrows(RelayException.class, () -> h.control().answerPublisherOffer(RelayHarness.CONFERENCE,
                    "ghost", "v=0"));
        }
    }
}
