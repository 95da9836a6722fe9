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

    /** The server with a drain grace period of {@code drainGrace} and {@code extra} JVM settings. */
    private ServerProcess start(Duration drainGrace, String... extra) throws Exception {
        List<String> jvm = new ArrayList<>(ServerProcess.loopbackFreePorts());
        jvm.add("-Dparley.auth.secret=" + SECRET);
        jvm.add("-Dparley.shutdown.drain-grace-period=" + drainGrace.toSeconds() + "s");
        jvm.addAll(List.of(extra));
        return ServerProcess.start(dir, jvm);
    }

    /** {@code caller} calls {@code callee}, who accepts; returns the call id. */
    private static String placeCall(SignalingClient caller, String calleeUser, SignalingClient callee) {
        String callId = caller.request("call.invite", "to", calleeUser, "media", "audio").get("callId").asText();
        callee.expectEvent("call.incoming");
        callee.request("call.accept", "callId", callId);
        caller.awaitEvent("call.accepted");
        return callId;
    }

    @Test
    void liveCallFinishesWhileDrainingThenTheServerExitsZero() throws Exception {
        try (ServerProcess server = start(Duration.ofSeconds(60));
                SignalingClient alice = signIn(server.port("http", "tcp"), "alice", "phone");
                SignalingClient bob = signIn(server.port("http", "tcp"), "bob", "laptop");
                SignalingClient carol = signIn(server.port("http", "tcp"), "carol", "tablet")) {
            int port = server.port("http", "tcp");
            String callId = placeCall(alice, "bob", bob);

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

    /**
     * Every device of a live call has gone (closed tabs): the call waits only for a resume that a
     * stopping server cannot honour, so SIGTERM stops the server without waiting out the drain grace
     * period. The resume grace period is set longer still, so only the drain can end the wait.
     */
    @Test
    void callWhoseDevicesAllLeftDoesNotHoldTheStop() throws Exception {
        Duration drainGrace = Duration.ofSeconds(120);
        try (ServerProcess server = start(drainGrace, "-Dparley.signaling.resume-grace-period=600s")) {
            int port = server.port("http", "tcp");
            SignalingClient alice = signIn(port, "alice", "phone");
            SignalingClient bob = signIn(port, "bob", "laptop");
            placeCall(alice, "bob", bob);
            alice.close();
            bob.abort();

            server.signal("TERM");
            // Half the drain grace period is a generous margin on a loaded machine; a server that
            // waits for the call takes the whole period.
            assertEquals(0, server.exitCode(drainGrace.dividedBy(2)), server.output());
            assertTrue(server.output().contains("parley stopped"), server.output());
        }
    }

    /** One device of the call is still connected: the drain waits for it as before. */
    @Test
    void callWithOneDeviceLeftStillHoldsTheStop() throws Exception {
        try (ServerProcess server = start(Duration.ofSeconds(120));
                SignalingClient bob = signIn(server.port("http", "tcp"), "bob", "laptop")) {
            SignalingClient alice = signIn(server.port("http", "tcp"), "alice", "phone");
            String callId = placeCall(alice, "bob", bob);
            alice.abort();

            server.signal("TERM");
            server.awaitLine("draining: 1 live calls", WAIT);
            bob.request("ping");
            assertTrue(server.isAlive(), "the server waits for the call bob is still in");
            bob.request("call.hangup", "callId", callId);
            assertEquals(0, server.exitCode(WAIT), server.output());
        }
    }
}
