package org.parley.relay.client;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.net.InetAddress;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.parley.relay.RelayConfig;
import org.parley.relay.RelayServer;
import org.parley.relay.control.RelayControl;

/** What the relay announces in its SDP: its UDP port and NAT-mapped addresses. */
class CandidatesTest {

    @Test
    void answerAnnouncesUdpHostAndAdvertisedAddress() throws Exception {
        // 203.0.113.7 (TEST-NET-3) is only written into SDP here; no client connects to it.
        RelayConfig config = new RelayConfig("127.0.0.1", 0, 0, List.of("203.0.113.7"), Duration.ofSeconds(30), 10,
                "");
        try (RelayServer relay = new RelayServer(config, new SimpleMeterRegistry(), Clock.systemUTC());
                RelayTestClient client = new RelayTestClient("c", InetAddress.getLoopbackAddress())) {
            List<String> lines = relay.start();
            int udpPort = relay.udpAddresses().get(0).getPort();
            assertTrue(lines.contains("relay udp 127.0.0.1:" + udpPort), lines.toString());
            RelayControl control = relay.control();
            control.createConference("x");
            control.allocateEndpoint("x", "c", sdp -> { });
            String answer = control.answerPublisherOffer("x", "c", client.publisherOffer());
            assertTrue(answer.contains(" udp 2130706431 127.0.0.1 " + udpPort + " typ host"), answer);
            // No ICE-TCP candidate here: ice4j's TCP listener drops loopback addresses, and tests
            // must not bind any other. On a real address the passive TCP candidate is announced.
            assertTrue(answer.contains("203.0.113.7 " + udpPort + " typ srflx raddr 127.0.0.1 rport " + udpPort),
                    "advertised address as server-reflexive candidate");
            assertFalse(answer.contains("192.0.2."), "no other host address leaks into candidates");
        }
    }
}
