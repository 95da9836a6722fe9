package org.parley.relay.client;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.InetAddress;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.parley.relay.RelayConfig;

/**
 * A relay behind a static NAT with local->public mappings, as Jitsi's: the SDP answer announces
 * the public address beside the host candidate it maps (once, with the host's port), a mapping
 * for an address the relay does not listen on adds nothing, and clients still connect over the
 * host candidate. (203.0.113.7 and 198.51.100.9 are documentation addresses, only written into SDP.)
 */
class PublicAddressMappingTest {

    @Test
    @Timeout(60)
    void theMappedPublicAddressIsAnnouncedAndHostCandidatesStillCarryMedia() throws Exception {
        RelayConfig config = new RelayConfig("127.0.0.1", 0, 0,
                List.of("203.0.113.7/127.0.0.1", "198.51.100.9/10.9.9.9"), Duration.ofSeconds(30), 10, "");
        try (RelayHarness h = new RelayHarness(config);
                RelayTestClient probe = new RelayTestClient("probe", InetAddress.getLoopbackAddress())) {
            int port = h.relay().udpAddresses().get(0).getPort();
            h.control().allocateEndpoint(RelayHarness.CONFERENCE, "probe", sdp -> { });
            String answer = h.control().answerPublisherOffer(RelayHarness.CONFERENCE, "probe", probe.publisherOffer());
            // every bundled m-section repeats the candidates: count each once
            List<String> candidates = answer.lines().filter(l -> l.startsWith("a=candidate:")).distinct().toList();
            assertEquals(1, candidates.stream().filter(l -> l.contains(" 127.0.0.1 " + port + " typ host")).count(),
                    answer);
            assertEquals(1, candidates.stream().filter(l -> l.contains(" 203.0.113.7 " + port
                    + " typ srflx raddr 127.0.0.1 rport " + port)).count(), answer);
            assertEquals(2, candidates.size(), "host and its public twin, nothing else: " + candidates);
            assertFalse(answer.contains("198.51.100.9"), "a mapping for an address the relay lacks adds nothing");

            RelayTestClient alice = h.join("alice", true);
            RelayTestClient bob = h.join("bob", false);
            h.await(() -> alice.isPublisherConnected() && bob.isSubscriberConnected(), 15_000,
                    "clients did not connect over the host candidate");
            alice.sendVideoFrame(new byte[] {1, 2, 3});
            assertNotNull(bob.poll(5000), "media flows through the relay");
        }
    }

    @Test
    @Timeout(60)
    void aPublicAddressWithoutLocalSideTwinsTheHostCandidatesOfItsFamilyOnly() throws Exception {
        RelayConfig config = new RelayConfig("127.0.0.1", 0, 0, List.of("203.0.113.7", "2001:db8::7"),
                Duration.ofSeconds(30), 10, "");
        try (RelayHarness h = new RelayHarness(config);
                RelayTestClient probe = new RelayTestClient("probe", InetAddress.getLoopbackAddress())) {
            int port = h.relay().udpAddresses().get(0).getPort();
            h.control().allocateEndpoint(RelayHarness.CONFERENCE, "probe", sdp -> { });
            String answer = h.control().answerPublisherOffer(RelayHarness.CONFERENCE, "probe", probe.publisherOffer());
            assertTrue(answer.contains(" 203.0.113.7 " + port + " typ srflx raddr 127.0.0.1 rport " + port), answer);
            assertFalse(answer.contains("2001:db8::7"), "an IPv6 public address is no twin of an IPv4 host: " + answer);
        }
    }
}
