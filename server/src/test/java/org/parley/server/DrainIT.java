package org.parley.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
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
import org.parley.signaling.client.SignalingException;

/**
 * SIGTERM with a live call: the server stops taking calls at once, reports 503 draining, lets the
 * live call finish, then exits 0 by itself.
 */
class DrainIT {

    private static final String SECRET = "drain-test-secret-of-at-least-32-chars";
    private static final Duration WAIT = Duration.ofSeconds(30);
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path dir;

    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    private HttpResponse<String> health(int port) throws Exception {
        return http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/health"))
                .timeout(Duration.ofSeconds(5)).build(), HttpResponse.BodyHandlers.ofString());
    }

    private SignalingClient signIn(int port, String user, String device) {
        String token = new TokenIssuer(SECRET.getBytes(StandardCharsets.UTF_8), Clock.systemUTC())
                .issue(user, Optional.empty(), Optional.empty(), Optional.empty(), Duration.ofMinutes(5));
        SignalingClient c = SignalingClient.connect(URI.create("ws://127.0.0.1:" + port + "/ws"), WAIT);
        c.hello(token, device);
        return c;
    }

    @Test
    void liveCallFinishesWhileDrainingThenTheServerExitsZero() throws Exception {
        List<String> jvm = new ArrayList<>(ServerProcess.loopbackFreePorts());
        jvm.add("-Dparley.auth.secret=" + SECRET);
        jvm.add("-Dparley.shutdown.drain-grace-period=60s");
        try (ServerProcess server = ServerProcess.start(dir, jvm);
                SignalingClient alice = signIn(server.port("http", "tcp"), "alice", "phone");
                SignalingClient bob = signIn(server.port("http", "tcp"), "bob", "laptop");
                SignalingClient carol = signIn(server.port("http", "tcp"), "carol", "tablet")) {
            int port = server.port("http", "tcp");
            String callId = alice.request("call.invite", "to", "bob", "media", "audio").get("callId").asText();
            bob.expectEvent("call.incoming");
            bob.request("call.accept", "callId", callId);
            alice.awaitEvent("call.accepted");

            server.signal("TERM");
            server.awaitLine("stop requested: draining", WAIT);
            HttpResponse<String> draining = health(port);
            assertEquals(503, draining.statusCode());
            assertEquals("draining", JSON.readTree(draining.body()).get("status").asText());

            // New calls are refused with a typed error; the live one goes on.
            SignalingException refused = assertThrows(SignalingException.class,
                    () -> carol.request("call.invite", "to", "alice", "media", "audio"));
            assertEquals("draining", refused.code());
            alice.request("call.media", "callId", callId, "audio", false);
            JsonNode media = bob.expectEvent("call.media");
            assertEquals(false, media.get("audio").asBoolean());
            assertTrue(server.isAlive(), "the server waits for the live call");

            bob.request("call.hangup", "callId", callId);
            assertEquals("hangup", alice.expectEvent("call.ended").get("reason").asText());
            assertEquals(0, server.exitCode(WAIT), server.output());
            assertTrue(server.output().contains("parley stopped"), server.output());
        }
    }
}
