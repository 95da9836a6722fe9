package org.parley.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.parley.signaling.auth.TokenIssuer;
import org.parley.signaling.client.SignalingClient;

/**
 * Two processes, as an operator splits a deployment: a relay-only node and a signaling-only node
 * that drives it over the relay's HTTP control API. A client joining a room on the signaling node
 * gets an SDP answer whose ICE candidates are the relay node's.
 */
class RemoteRelayIT {

    private static final String SECRET = "remote-relay-test-secret-of-32-chars!";
    private static final String API_SECRET = "relay-api-secret-for-the-test";
    private static final Duration WAIT = Duration.ofSeconds(30);

    @TempDir
    Path dir;

    private static List<String> node(String... settings) {
        List<String> jvm = new ArrayList<>(ServerProcess.loopbackFreePorts());
        jvm.add("-Dparley.auth.secret=" + SECRET);
        jvm.add("-Dparley.turn.enabled=false");
        jvm.addAll(List.of(settings));
        return jvm;
    }

    private static String chromeOffer() throws Exception {
        try (InputStream in = RemoteRelayIT.class.getResourceAsStream("/sdp/chrome-publisher-offer.sdp")) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
    }

    @Test
    void signalingNodeDrivesTheRelayOfAnotherNode() throws Exception {
        Path relayDir = dir.resolve("relay");
        Path signalingDir = dir.resolve("signaling");
        java.nio.file.Files.createDirectories(relayDir);
        java.nio.file.Files.createDirectories(signalingDir);
        try (ServerProcess relay = ServerProcess.start(relayDir,
                node("-Dparley.signaling.enabled=false", "-Dparley.relay.api-secret=" + API_SECRET))) {
            int relayHttp = relay.port("http", "tcp");
            int relayUdp = relay.port("relay", "udp");

            // The API refuses callers without the secret.
            HttpResponse<String> anonymous = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
                    URI.create("http://127.0.0.1:" + relayHttp + "/api/relay/conferences/x/stats")).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertEquals(401, anonymous.statusCode(), anonymous.body());

            try (ServerProcess signaling = ServerProcess.start(signalingDir, node("-Dparley.relay.enabled=false",
                    "-Dparley.remote-relay.url=http://127.0.0.1:" + relayHttp,
                    "-Dparley.remote-relay.secret=" + API_SECRET))) {
                int port = signaling.port("http", "tcp");
                String token = new TokenIssuer(SECRET.getBytes(StandardCharsets.UTF_8), Clock.systemUTC())
                        .issue("alice", Optional.empty(), Optional.of("standup"), Optional.empty(),
                                Duration.ofMinutes(5));
                try (SignalingClient alice = SignalingClient.connect(
                        URI.create("ws://127.0.0.1:" + port + "/ws"), WAIT)) {
                    alice.hello(token, "laptop");
                    JsonNode joined = alice.request("room.join", "roomId", "standup");
                    assertEquals("standup", joined.get("roomId").asText());

                    String answer = alice.request("relay.offer", "roomId", "standup", "sdp", chromeOffer())
                            .get("sdp").asText();
                    assertTrue(answer.startsWith("v=0"), answer);
                    assertTrue(answer.contains("a=fingerprint:sha-256 "), answer);
                    assertTrue(answer.contains(" 127.0.0.1 " + relayUdp + " typ host"),
                            "the relay node's UDP port is offered: " + answer);
                    alice.request("room.leave", "roomId", "standup");
                }
                // The relay node answers, and the signaling node's meters say so (alerts read it).
                String signalingMetrics = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
                        URI.create("http://127.0.0.1:" + port + "/metrics")).build(),
                        HttpResponse.BodyHandlers.ofString()).body();
                assertTrue(signalingMetrics.contains("\nparley_part_up{part=\"remote-relay\"} 1.0"), signalingMetrics);
                String metrics = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
                        URI.create("http://127.0.0.1:" + relayHttp + "/metrics")).build(),
                        HttpResponse.BodyHandlers.ofString()).body();
                assertTrue(metrics.contains("parley_relay_conferences"), "relay meters on the relay node");
                assertEquals(0, signaling.terminate(WAIT), signaling.output());
            }
            assertEquals(0, relay.terminate(WAIT), relay.output());
        }
    }

    @Test
    void remoteRelayOnANodeWithItsOwnRelayIsAConfigurationError() throws Exception {
        try (ServerProcess node = ServerProcess.start(dir, node("-Dparley.remote-relay.url=http://127.0.0.1:1",
                "-Dparley.remote-relay.secret=x"))) {
            assertEquals(2, node.exitCode(WAIT), node.output());
            assertTrue(node.output().contains("parley.remote-relay.url"), node.output());
        }
    }
}
