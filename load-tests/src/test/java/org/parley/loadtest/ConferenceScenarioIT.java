package org.parley.loadtest;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import io.micrometer.core.instrument.binder.system.ProcessorMetrics;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.parley.relay.RelayConfig;
import org.parley.relay.RelayServer;
import org.parley.server.HealthReport;
import org.parley.server.PartState;
import org.parley.server.config.HttpConfig;
import org.parley.server.http.HttpEndpoint;
import org.parley.server.http.HttpRouter;
import org.parley.signaling.SignalingConfig;
import org.parley.signaling.SignalingService;

/**
 * The {@code conference} scenario end to end: three members with real signaling and real
 * ICE/DTLS/SRTP media through the relay, for some seconds, then the report read back: every
 * stream arrived, nothing was lost, latency is sensible for loopback.
 *
 * <p>The server is assembled here from the real parts (relay, signaling with the relay as its
 * {@code RelayControl}, the HTTP endpoint with /ws and /metrics) because the server jar on
 * {@code main} does not hand the relay to signaling yet; once it does, this can run against
 * the jar like {@link LoadToolIT}.
 */
class ConferenceScenarioIT {

    private static final String SECRET = "conference-it-operator-secret-of-32-chars-or-more";

    @Test
    void threeMembersReceiveEveryStreamWithoutLoss(@TempDir Path dir) throws Exception {
        Config config = ConfigFactory.parseMap(Map.of("parley.relay.bind-address", "127.0.0.1",
                "parley.relay.udp-port", 0, "parley.relay.tcp-port", 0)).withFallback(ConfigFactory.load()).resolve();
        PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
        new ProcessorMetrics().bindTo(registry);
        Clock clock = Clock.systemUTC();
        try (RelayServer relay = new RelayServer(RelayConfig.from(config), registry, clock)) {
            relay.start();
            SignalingService signaling = new SignalingService(SignalingConfig.from(config),
                    SECRET.getBytes(StandardCharsets.UTF_8), Optional.of(relay.control()), registry, clock);
            HttpEndpoint http = new HttpEndpoint(new HttpConfig("127.0.0.1", 0),
                    new HttpRouter(() -> new HealthReport(PartState.UP, "it", Map.of()), registry, signaling), registry);
            try {
                http.start();
                Path out = dir.resolve("conference");
                ByteArrayOutputStream log = new ByteArrayOutputStream();
                PrintStream ps = new PrintStream(log, true, StandardCharsets.UTF_8);
                int exit = LoadTestMain.run(new String[] {"conference", "--url",
                    "ws://127.0.0.1:" + http.port() + "/ws", "--secret", SECRET, "--participants", "3",
                    "--video-bitrate", "200k", "--join-rate", "5", "--duration", "15s", "--out", out.toString()}, ps, ps);
                String output = log.toString(StandardCharsets.UTF_8);
                assertEquals(0, exit, output);
                assertTrue(Files.size(out.resolve("report.html")) > 2000, "report written");
                JsonNode r = new ObjectMapper().readTree(out.resolve("result.json").toFile());
                JsonNode summary = r.path("scenarioSummary");
                assertEquals(3, summary.path("participants joined").asInt(), output);
                // 3 senders x 2 other members x (audio + video).
                assertEquals(12, summary.path("streams expected").asInt());
                assertEquals(12, summary.path("streams received").asInt(), output);
                assertTrue(r.path("packetsExpected").asLong() > 1000, "media flowed: " + r.path("packetsExpected"));
                assertEquals(0, r.path("packetsLost").asLong(), "no loss on loopback at this load\n" + output);
                assertEquals(0, r.path("totals").path("errors").asLong(), output);
                JsonNode latency = r.path("latencies").path("latency");
                assertTrue(latency.path("p50").asDouble() < 50, "one-way p50 on loopback: " + latency);
                assertTrue(latency.path("p99").asDouble() < 1000, "one-way p99 on a shared machine: " + latency);
                assertTrue(r.path("serverForwardedPpsMax").asDouble() > 0, "relay counters read from /metrics");
            } finally {
                http.close();
                signaling.close();
            }
        }
    }
}
