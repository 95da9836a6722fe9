package org.parley.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import io.lettuce.core.RedisClient;
import io.lettuce.core.api.StatefulRedisConnection;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.parley.cluster.RedisServerProcess;
import org.parley.signaling.auth.TokenIssuer;
import org.parley.signaling.client.SignalingClient;

/**
 * A signaling node dies in the middle of a call and its client resumes at another node
 * (docs/cluster.md "A node dies"): a real redis-server and three Parley processes. Alice is on
 * node a (signaling only), bob on node b, which runs the call on a pool relay of node b or c; both
 * send real media through it. Alice signs in at node c first; her socket is left open without a
 * bye, bob mutes, and she comes back at node a while c is alive (a client moved by the load
 * balancer, docs/cluster.md "Sessions in Redis"): a asks c to hand the session over, c closes the
 * old socket with 4004, and she gets the same session, the missed {@code call.media}, media both
 * ways and bob's next change at a. Then node a is killed outright; while alice is away bob mutes;
 * alice comes back at node c with her resume token and gets the same session, the missed
 * {@code call.media}, media both ways as before, and bob's hang-up. Last, a call that alice's own
 * node runs: she places it from c and moves to b while c is alive (see
 * {@link #moveOffTheNodeRunningHerCall}).
 */
class NodeDeathResumeIT {

    private static final String SECRET = "node-death-test-secret-of-32-chars!";
    private static final String API_SECRET = "node-death-relay-api-secret";
    private static final Duration WAIT = Duration.ofSeconds(60);

    @TempDir
    Path dir;

    private ServerProcess node(String id, String... more) throws Exception {
        List<String> jvm = new ArrayList<>(ServerProcess.loopbackFreePorts());
        jvm.addAll(List.of("-Dparley.auth.secret=" + SECRET, "-Dparley.turn.enabled=false",
                "-Dparley.signaling.calls.media=relay", "-Dparley.cluster.redis=" + redis.url(),
                "-Dparley.cluster.node-id=" + id, "-Dparley.cluster.heartbeat-interval=500ms",
                "-Dparley.cluster.node-timeout=2s"));
        jvm.addAll(List.of(more));
        return ServerProcess.start(Files.createDirectories(dir.resolve(id)), jvm);
    }

    private RedisServerProcess redis;

    private static String token(String user) {
        return new TokenIssuer(SECRET.getBytes(StandardCharsets.UTF_8), Clock.systemUTC())
                .issue(user, Optional.empty(), Optional.empty(), Optional.empty(), Duration.ofMinutes(10));
    }

    private static URI wsUri(ServerProcess node) throws InterruptedException {
        return URI.create("ws://127.0.0.1:" + node.port("http", "tcp") + "/ws");
    }

    private static SignalingClient connect(ServerProcess node) throws InterruptedException {
        return SignalingClient.connect(wsUri(node), WAIT).timeout(WAIT);
    }

    @Test
    void aClientOfAKilledNodeResumesAtAnotherWithItsCallMissedEventAndMedia() throws Exception {
        redis = RedisServerProcess.start();
        List<ServerProcess> nodes = new ArrayList<>();
        try {
            ServerProcess a = node("a", "-Dparley.relay.enabled=false", "-Dparley.remote-relay.secret=" + API_SECRET);
            ServerProcess b = node("b", "-Dparley.relay.api-secret=" + API_SECRET);
            ServerProcess c = node("c", "-Dparley.relay.api-secret=" + API_SECRET);
            nodes.addAll(List.of(a, b, c));
            awaitRelays(b.port("http", "tcp"), 2);
            String aliceToken = token("alice");
            SignalingClient aliceFirst = connect(c);
            aliceFirst.hello(aliceToken, "phone");
            String sessionId = aliceFirst.sessionId();
            try (SignalingClient bob = connect(b)) {
                bob.hello(token("bob"), "laptop");
                String callId = awaitInvite(bob, aliceFirst);
                aliceFirst.request("call.accept", "callId", callId);
                bob.awaitEvent("call.accepted");
                try (CallParty alice = new CallParty(aliceFirst, callId, WAIT);
                        CallParty bobParty = new CallParty(bob, callId, WAIT)) {
                    CallParty.publishBoth(alice, bobParty);

                    // alice's phone switches networks: her socket to node c is left half-open (no bye),
                    // bob mutes, and she comes back at node a while c is alive
                    String firstToken = aliceFirst.resumeToken();
                    long firstSeq = alice.stop();
                    bob.request("call.media", "callId", callId, "audio", false);
                    SignalingClient aliceOnA = connect(a);
                    JsonNode moved = aliceOnA.resume(aliceToken, "phone", firstToken, firstSeq);
                    assertTrue(moved.get("resumed").asBoolean(), "moved between live nodes: " + moved);
                    assertEquals(sessionId, moved.get("sessionId").asText(), "the same session");
                    assertEquals(4004, aliceFirst.closed().get(WAIT.toSeconds(), java.util.concurrent.TimeUnit.SECONDS).code(),
                            "node c closes the old connection: replaced");
                    alice.resumeOn(aliceOnA);
                    JsonNode missedOnA = alice.event("call.media");
                    assertEquals(false, missedOnA.get("audio").asBoolean(true), missedOnA.toString());
                    assertTrue(missedOnA.get("seq").asLong() > firstSeq, missedOnA.toString());
                    CallParty.awaitMediaBothWays(alice, bobParty);
                    // node b sends her events to a now
                    bob.request("call.media", "callId", callId, "audio", true);
                    assertEquals(true, alice.event("call.media").get("audio").asBoolean(false), "bob's unmute at a");

                    // node a dies with alice's session; node b (the call's) notices
                    a.signal("KILL");
                    assertNotEquals(0, a.exitCode(WAIT), "killed, not stopped");
                    b.awaitLine("cluster node a stopped heartbeating", WAIT);
                    String resumeToken = aliceOnA.resumeToken();
                    long lastSeq = alice.stop();
                    aliceOnA.abort();

                    // while alice is away bob mutes: the call is still up for him
                    bob.request("call.media", "callId", callId, "audio", false);

                    // alice comes back: node a refuses, node c takes her
                    try (SignalingClient aliceOnC = SignalingClient.connect(List.of(wsUri(a), wsUri(c)), WAIT)
                            .timeout(WAIT)) {
                        JsonNode welcome = aliceOnC.resume(aliceToken, "phone", resumeToken, lastSeq);
                        assertTrue(welcome.get("resumed").asBoolean(), welcome.toString());
                        assertEquals(sessionId, welcome.get("sessionId").asText(), "the same session");
                        alice.resumeOn(aliceOnC);
                        JsonNode missed = alice.event("call.media");
                        assertEquals(callId, missed.get("callId").asText(), missed.toString());
                        assertEquals("bob", missed.get("user").asText(), missed.toString());
                        assertEquals(false, missed.get("audio").asBoolean(true), missed.toString());
                        assertTrue(missed.get("seq").asLong() > lastSeq, missed.toString());

                        // the relay never noticed: media both ways, packets sent after the resume
                        CallParty.awaitMediaBothWays(alice, bobParty);

                        alice.awaitHangupBy(bob);
                        assertTrue(alice.failure.get() == null, alice.failure.get());

                        alice.stop();
                        bobParty.stop();
                        moveOffTheNodeRunningHerCall(aliceOnC, bob, b, aliceToken, sessionId);
                    }
                }
            }
        } finally {
            Path logs = Files.createDirectories(Path.of("target", "node-death-it"));
            for (int i = 0; i < nodes.size(); i++) {
                Files.writeString(logs.resolve("node-" + (char) ('a' + i) + ".log"), nodes.get(i).output());
            }
            nodes.forEach(ServerProcess::close);
            redis.close();
        }
    }

    /**
     * A call run by alice's own node c (she places it), her socket to c left half-open, and she
     * comes back at node b while c is alive: c keeps running the call with her as b's visitor, and
     * she gets the same session, the missed {@code call.media}, media both ways and the hang-up.
     */
    private static void moveOffTheNodeRunningHerCall(SignalingClient aliceOnC, SignalingClient bob, ServerProcess b,
            String aliceToken, String sessionId) throws Exception {
        String callId = CallParty.placeAcceptedAudioCall(aliceOnC, "bob", bob);
        try (CallParty alice = new CallParty(aliceOnC, callId, WAIT);
                CallParty bobParty = new CallParty(bob, callId, WAIT)) {
            CallParty.publishBoth(alice, bobParty);

            String token = aliceOnC.resumeToken();
            long seq = alice.stop();
            bob.request("call.media", "callId", callId, "audio", false);
            try (SignalingClient aliceOnB = connect(b)) {
                JsonNode moved = aliceOnB.resume(aliceToken, "phone", token, seq);
                assertTrue(moved.get("resumed").asBoolean(), "moved off the node running her call: " + moved);
                assertEquals(sessionId, moved.get("sessionId").asText(), "the same session");
                alice.resumeOn(aliceOnB);
                JsonNode missed = alice.event("call.media");
                assertEquals(false, missed.get("audio").asBoolean(true), missed.toString());
                assertTrue(missed.get("seq").asLong() > seq, missed.toString());
                CallParty.awaitMediaBothWays(alice, bobParty);

                alice.awaitHangupBy(bob);
                assertTrue(alice.failure.get() == null, alice.failure.get());
            }
        }
    }

    /** Bob calls alice once Redis lists her phone (nodes announce sign-ins asynchronously); returns the call id. */
    private String awaitInvite(SignalingClient bob, SignalingClient alice) throws InterruptedException {
        RedisClient client = RedisClient.create(redis.url());
        try (StatefulRedisConnection<String, String> c = client.connect()) {
            long deadline = System.nanoTime() + WAIT.toNanos();
            while (c.sync().hlen("parley:presence:alice") != 1) {
                assertTrue(System.nanoTime() < deadline, "alice's phone never appeared in Redis");
                Thread.sleep(20);
            }
        } finally {
            client.shutdown();
        }
        String callId = bob.request("call.invite", "to", "alice", "media", "audio").get("callId").asText();
        assertEquals(callId, alice.awaitEvent("call.incoming").get("callId").asText());
        return callId;
    }

    private static void awaitRelays(int port, int n) throws Exception {
        long deadline = System.nanoTime() + WAIT.toNanos();
        HttpClient http = HttpClient.newHttpClient();
        while (!http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/metrics")).build(),
                HttpResponse.BodyHandlers.ofString()).body().contains("\nparley_relay_pool_relays " + n + ".0")) {
            assertTrue(System.nanoTime() < deadline, "the pool never had " + n + " relays");
            Thread.sleep(100);
        }
    }
}
