package org.parley.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.net.URI;
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
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.parley.cluster.RedisServerProcess;
import org.parley.signaling.auth.TokenIssuer;
import org.parley.signaling.client.SignalingClient;
import org.parley.signaling.client.SignalingException;

/**
 * Three Parley processes joined through a real redis-server (parley.cluster.redis), as an
 * operator runs a cluster (docs/cluster.md). The cases share the processes.
 */
class ClusterIT {

    private static final String SECRET = "cluster-test-secret-of-32-characters";
    private static final Duration WAIT = Duration.ofSeconds(60);

    @TempDir
    static Path dir;
    private static RedisServerProcess redis;
    private static final List<ServerProcess> NODES = new ArrayList<>();

    @BeforeAll
    static void startCluster() throws Exception {
        redis = RedisServerProcess.start();
        for (String id : List.of("a", "b", "c")) {
            Path d = Files.createDirectories(dir.resolve(id));
            List<String> jvm = new ArrayList<>(ServerProcess.loopbackFreePorts());
            jvm.addAll(List.of("-Dparley.auth.secret=" + SECRET, "-Dparley.turn.enabled=false",
                    "-Dparley.signaling.calls.media=relay", "-Dparley.cluster.redis=" + redis.url(),
                    "-Dparley.cluster.node-id=" + id, "-Dparley.relay.api-secret=cluster-test-relay-api-secret"));
            NODES.add(ServerProcess.start(d, jvm));
        }
        for (ServerProcess n : NODES) {
            n.port("http", "tcp"); // waits until it listens
        }
    }

    @AfterAll
    static void stopCluster() throws Exception {
        // Each node's log outlives the temporary directory, for the reader of a red run.
        Path logs = Files.createDirectories(Path.of("target", "cluster-it"));
        for (int i = 0; i < NODES.size(); i++) {
            Files.writeString(logs.resolve("node-" + (char) ('a' + i) + ".log"), NODES.get(i).output());
        }
        NODES.forEach(ServerProcess::close);
        if (redis != null) {
            redis.close();
        }
    }

    private static SignalingClient signIn(int node, String user, String device) throws InterruptedException {
        SignalingClient c = SignalingClient.connect(
                URI.create("ws://127.0.0.1:" + NODES.get(node).port("http", "tcp") + "/ws"), WAIT);
        c.hello(new TokenIssuer(SECRET.getBytes(StandardCharsets.UTF_8), Clock.systemUTC())
                .issue(user, Optional.empty(), Optional.empty(), Optional.empty(), Duration.ofMinutes(10)), device);
        return c;
    }

    /** Waits until Redis lists {@code devices} devices of {@code user} (nodes announce sign-ins asynchronously). */
    private static void awaitPresence(String user, int devices) throws InterruptedException {
        RedisClient client = RedisClient.create(redis.url());
        try (StatefulRedisConnection<String, String> c = client.connect()) {
            long deadline = System.nanoTime() + WAIT.toNanos();
            while (c.sync().hlen("parley:presence:" + user) != devices) {
                assertTrue(System.nanoTime() < deadline, user + "'s devices never all appeared in Redis");
                Thread.sleep(20);
            }
        } finally {
            client.shutdown();
        }
    }

    /**
     * Alice on node a calls bob, whose laptop is on node b and phone on node c: both ring, the
     * laptop answers, the phone hears {@code answered_elsewhere}; media goes both ways through the
     * relay of node a (which owns the call), and bob's hang-up on b reaches alice on a.
     */
    @Test
    void aCallBetweenThreeNodesRingsEveryDeviceCarriesMediaBothWaysAndEndsEverywhere() throws Exception {
        try (SignalingClient alice = signIn(0, "alice", "phone");
                SignalingClient bobLaptop = signIn(1, "bob", "laptop");
                SignalingClient bobPhone = signIn(2, "bob", "phone")) {
            awaitPresence("bob", 2);
            String callId = alice.request("call.invite", "to", "bob", "media", "audio").get("callId").asText();
            JsonNode ringing = alice.nextEvent(WAIT);
            assertEquals("call.ringing", ringing.get("type").asText(), ringing.toString());
            assertEquals(2, ringing.get("devices").asInt(), "both of bob's devices ring: " + ringing);
            assertEquals(callId, bobLaptop.awaitEvent("call.incoming").get("callId").asText());
            assertEquals(callId, bobPhone.awaitEvent("call.incoming").get("callId").asText());

            JsonNode accepted = bobLaptop.request("call.accept", "callId", callId);
            assertEquals("relay", accepted.get("transport").asText());
            assertEquals("alice", accepted.get("peer").get("user").asText(), accepted.toString());
            JsonNode ended = bobPhone.awaitEvent("call.ended");
            assertEquals("answered_elsewhere", ended.get("reason").asText());
            assertEquals("laptop", alice.awaitEvent("call.accepted").get("peer").get("device").asText());
            // the owner's typed errors come back through the device's own node
            assertEquals("wrong_state", assertThrows(SignalingException.class,
                    () -> bobLaptop.request("call.accept", "callId", callId)).code());
            assertEquals("unknown_call", assertThrows(SignalingException.class,
                    () -> bobPhone.request("call.accept", "callId", callId)).code());

            try (CallParty a = new CallParty(alice, callId, WAIT);
                    CallParty b = new CallParty(bobLaptop, callId, WAIT)) {
                a.publish();
                b.publish();
                a.awaitMedia(WAIT);
                b.awaitMedia(WAIT);
                bobLaptop.request("call.hangup", "callId", callId);
                JsonNode end = a.event("call.ended");
                assertEquals("hangup", end.get("reason").asText(), end.toString());
            }
        }
    }
}
