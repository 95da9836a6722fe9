package org.parley.relay.browser;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Clock;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.parley.relay.RelayConfig;
import org.parley.relay.RelayServer;
import org.parley.relay.control.EndpointListener;
import org.parley.relay.control.PeerConnectionRole;
import org.parley.relay.control.RelayControl;

/**
 * Chromium starts sending video at 300 kbit/s and raises its rate only when transport-wide
 * congestion-control feedback says the path has room. A publisher through the relay must climb
 * well above that start, as getStats shows: the send-side estimate and the encoder's target.
 */
class ChromiumBandwidthTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    @Test
    @Timeout(90)
    void publisherBitrateRampsUpWithTheRelaysFeedback() throws Exception {
        try (RelayServer relay = new RelayServer(new RelayConfig("127.0.0.1", 0, 0), new SimpleMeterRegistry(),
                Clock.systemUTC());
                TestPageServer pages = new TestPageServer();
                Chromium browser = new Chromium()) {
            relay.start();
            RelayControl control = relay.control();
            control.createConference("bw");
            control.allocateEndpoint("bw", "sender", sdp -> { });
            browser.open(pages.url("relay-client.html"));
            String offer = browser.runString("return parley.start(false, 640, 480, 30);");
            // Kept for reference: SdpAnswererTest runs against a checked-in capture of such an offer.
            java.nio.file.Files.writeString(java.nio.file.Path.of("target", "captured-chrome-offer.sdp"), offer);
            String answer = control.answerPublisherOffer("bw", "sender", offer);
            assertEquals("ok", browser.runString("return parley.setPublisherAnswer(arguments[0]);", answer));

            long deadline = System.nanoTime() + 40_000_000_000L;
            JsonNode before = null;
            double kbps = 0;
            double target = 0;
            double estimate = 0;
            while (System.nanoTime() < deadline) {
                @SuppressWarnings("unchecked")
                Map<String, List<String>> c = (Map<String, List<String>>) browser.run("return parley.takeCandidates();");
                for (String candidate : c.get("pub")) {
                    control.addRemoteCandidate("bw", "sender", PeerConnectionRole.PUBLISHER, candidate);
                }
                Thread.sleep(1000);
                JsonNode now = JSON.readTree(browser.runString("return parley.stats();"));
                if (before != null) {
                    double seconds = (now.get("timestamp").asDouble() - before.get("timestamp").asDouble()) / 1000;
                    if (seconds > 0) {
                        kbps = (now.get("outboundVideoBytes").asDouble() - before.get("outboundVideoBytes").asDouble())
                                * 8 / seconds / 1000;
                    }
                }
                target = now.get("targetBitrate").asDouble() / 1000;
                estimate = now.get("availableOutgoingBitrate").asDouble() / 1000;
                before = now;
                if (estimate > 700 && target > 500) {
                    break;
                }
            }
            String figures = "estimate " + Math.round(estimate) + " kbit/s, encoder target " + Math.round(target)
                    + " kbit/s, sent " + Math.round(kbps) + " kbit/s";
            System.out.println("publisher bitrate: " + figures);
            assertTrue(estimate > 700, "the send-side estimate should climb well above 300 kbit/s: " + figures);
            assertTrue(target > 500, "the video encoder target should climb well above 300 kbit/s: " + figures);
            assertTrue(relay.metrics().twccFeedbackSent.count() > 0, "the relay sent no TWCC feedback");
        }
    }
}
