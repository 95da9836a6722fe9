package org.parley.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.typesafe.config.ConfigFactory;
import io.lettuce.core.RedisClient;
import io.lettuce.core.api.StatefulRedisConnection;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.parley.signaling.call.StoredCall;
import org.parley.signaling.cluster.RemoteDevice;

/**
 * Calls in a real redis-server: owner a writes a call and dies, nodes b and c both claim it and
 * exactly one wins; the dead node's stored session learns the new owner; the end deletes it.
 */
class RedisCallsTest {

    private static final Duration TTL = Duration.ofSeconds(40);
    private static RedisServerProcess redis;
    private static RedisClient client;
    private static StatefulRedisConnection<String, String> connection;

    @BeforeAll
    static void start() {
        redis = RedisServerProcess.start();
        client = RedisClient.create(redis.url());
        connection = client.connect();
        connection.setTimeout(Duration.ofSeconds(10));
    }

    @AfterAll
    static void stop() {
        connection.close();
        client.shutdown();
        redis.close();
    }

    private static RedisCalls node(String id) {
        return new RedisCalls(connection.async(), id, TTL);
    }

    private static <T> T await(java.util.concurrent.CompletionStage<T> f) throws Exception {
        return f.toCompletableFuture().get(10, TimeUnit.SECONDS);
    }

    private static StoredCall call(String id) {
        return new StoredCall(id, "a", "alice", "bob", "audio", "relay", "active",
                new RemoteDevice("a", "s-alice", "alice", "phone", "Alice", 1L),
                new RemoteDevice("b", "s-bob", "bob", "laptop", "Bob", 2L),
                true, false, false, false, false, false);
    }

    @Test
    void aDeadOwnersCallIsClaimedByExactlyOneNodeWithItsStateAndTheDeadNodesSessionLearnsTheNewOwner() throws Exception {
        RedisCalls a = node("a");
        a.saved(call("c-1"));
        RedisSessions aSessions = new RedisSessions(connection.async(), "a", new NodeRegistry(connection.async(),
                ClusterConfig.from(ConfigFactory.parseMap(Map.of("parley.cluster.redis", redis.url(),
                        "parley.cluster.node-id", "a")).withFallback(ConfigFactory.defaultReference())), n -> { }),
                TTL, 10, Duration.ofSeconds(6));
        aSessions.save("s-alice", "alice", "phone", "Alice", "tok-a", 3, null);
        assertEquals("a", connection.sync().hget(Keys.call("c-1"), "owner"));
        long ttl = connection.sync().pttl(Keys.call("c-1"));
        assertTrue(ttl > 0 && ttl <= TTL.toMillis(), "the record lives as long as a session: " + ttl);

        // a died: b and c both claim, at once
        RedisCalls b = node("b");
        RedisCalls c = node("c");
        CompletableFuture<List<StoredCall>> byB = b.claim("a", Set.of("c-1")).toCompletableFuture();
        CompletableFuture<List<StoredCall>> byC = c.claim("a", Set.of("c-1", "c-unknown")).toCompletableFuture();
        List<StoredCall> wonB = await(byB);
        List<StoredCall> wonC = await(byC);
        assertEquals(1, wonB.size() + wonC.size(), "exactly one node wins: " + wonB + " " + wonC);
        StoredCall won = wonB.isEmpty() ? wonC.get(0) : wonB.get(0);
        String winner = wonB.isEmpty() ? "c" : "b";
        assertEquals(winner, won.owner());
        assertEquals(winner, connection.sync().hget(Keys.call("c-1"), "owner"));
        assertEquals(call("c-1").callerDevice(), won.callerDevice());
        assertEquals(call("c-1").calleeDevice(), won.calleeDevice());
        assertEquals("active", won.state());
        assertTrue(won.callerAudio());
        assertTrue(await(b.claim("a", Set.of("c-1"))).isEmpty(), "claimed once only");

        // alice's session (of the dead node) names the new owner for whoever resumes it
        (wonB.isEmpty() ? c : b).sessionInCall("s-alice", "c-1", winner);
        b.sessionInCall("s-gone", "c-1", winner);
        assertEquals(Map.of("c-1", winner), new com.fasterxml.jackson.databind.ObjectMapper().readValue(
                connection.sync().hget(Keys.session("s-alice"), "calls"), Map.class));
        assertFalse(connection.sync().exists(Keys.session("s-gone")) > 0, "a session that is gone is not made");

        (wonB.isEmpty() ? c : b).ended("c-1");
        assertEquals(0L, await(connection.async().exists(Keys.call("c-1"))));
    }
}
