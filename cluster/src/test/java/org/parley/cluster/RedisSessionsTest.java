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
import org.parley.signaling.session.SessionStore.Held;
import org.parley.signaling.session.SessionStore.Orphan;
import org.parley.signaling.session.SessionStore.Stored;

/**
 * Sessions and calls in a real redis-server, as two nodes see them: node a holds a session and
 * dies, node b (which runs a call of it) logs events for it, node c takes it over; node a owns a
 * call and dies, nodes b and c both claim it and exactly one wins.
 */
class RedisSessionsTest {

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

    private static RedisSessions node(String id) {
        ClusterConfig config = ClusterConfig.from(ConfigFactory.parseMap(Map.of("parley.cluster.redis", redis.url(),
                "parley.cluster.node-id", id)).withFallback(ConfigFactory.defaultReference()));
        return new RedisSessions(connection.async(), id, new NodeRegistry(connection.async(), config, n -> { }), TTL, 3,
                Duration.ofSeconds(6));
    }

    private static <T> T await(java.util.concurrent.CompletionStage<T> f) throws Exception {
        return f.toCompletableFuture().get(10, TimeUnit.SECONDS);
    }

    @Test
    void aDeadNodesSessionKeepsItsUnackedEventsGetsOrphanEventsNumberedAndIsTakenOverOnce() throws Exception {
        RedisSessions a = node("a");
        a.save("s-1", "alice", "phone", "Alice", "tok-1", 1, null);
        for (int seq = 1; seq <= 3; seq++) {
            a.append("s-1", seq, "{\"type\":\"e\",\"seq\":" + seq + "}");
        }
        assertEquals(1L, await(a.ack("s-1", 1)), "one event acknowledged");

        // node a is dead (it never heartbeat): node b logs an event of its call for alice
        RedisSessions b = node("b");
        Held held = await(b.holder("tok-1")).orElseThrow();
        assertEquals(new Held("s-1", "a", false, "alice", "phone"), held);
        Orphan logged = await(b.appendOrphan("s-1", "a", "{\"type\":\"call.media\"}"));
        assertEquals(new Orphan(Orphan.Kind.LOGGED, 4, null), logged);
        long ttl = connection.sync().pttl(Keys.events("s-1"));
        assertTrue(ttl > 0 && ttl <= TTL.toMillis(), "the log lives as long as the session: " + ttl);

        RedisSessions c = node("c");
        Stored stored = await(c.claim("s-1", "a")).orElseThrow();
        assertEquals(5, stored.nextSeq());
        assertEquals(List.of("{\"type\":\"e\",\"seq\":2}", "{\"type\":\"e\",\"seq\":3}",
                "{\"seq\":4,\"type\":\"call.media\"}"), stored.events());
        assertEquals("alice", stored.user());
        assertFalse(await(b.claim("s-1", "a")).isPresent(), "taken over once");
        assertEquals(new Orphan(Orphan.Kind.MOVED, 0, "c"), await(b.appendOrphan("s-1", "a", "{\"type\":\"x\"}")),
                "an event logged after the take-over goes to the node that took it");

        // the log keeps the last 3 events
        c.save("s-1", "alice", "phone", "Alice", "tok-2", 5, "tok-1");
        c.append("s-1", 5, "{\"seq\":5}");
        await(c.append("s-1", 6, "{\"seq\":6}"));
        assertEquals(List.of("{\"seq\":4,\"type\":\"call.media\"}", "{\"seq\":5}", "{\"seq\":6}"),
                connection.sync().lrange(Keys.events("s-1"), 0, -1));
        assertFalse(await(c.holder("tok-1")).isPresent(), "the old resume token is gone");

        await(c.end("s-1", "tok-2"));
        assertFalse(await(c.holder("tok-2")).isPresent());
        assertEquals(Orphan.GONE, await(b.appendOrphan("s-1", "c", "{\"type\":\"x\"}")), "an ended session logs nothing");
    }

    private static RedisCalls calls(String id) {
        return new RedisCalls(connection.async(), id, TTL);
    }

    private static StoredCall call(String id) {
        return new StoredCall(id, "a", "alice", "bob", "audio", "relay", "active",
                new RemoteDevice("a", "s-alice", "alice", "phone", "Alice", 1L),
                new RemoteDevice("b", "s-bob", "bob", "laptop", "Bob", 2L),
                true, false, false, false, false, false);
    }

    @Test
    void aDeadOwnersCallIsClaimedByExactlyOneNodeWithItsStateAndTheDeadNodesSessionLearnsTheNewOwner() throws Exception {
        RedisCalls a = calls("a");
        a.saved(call("c-1"));
        RedisSessions aSessions = node("a");
        aSessions.save("s-alice", "alice", "phone", "Alice", "tok-a", 3, null);
        assertEquals("a", connection.sync().hget(Keys.call("c-1"), "owner"));
        long ttl = connection.sync().pttl(Keys.call("c-1"));
        assertTrue(ttl > 0 && ttl <= TTL.toMillis(), "the record lives as long as a session: " + ttl);

        // a died: b and c both claim, at once
        RedisCalls b = calls("b");
        RedisCalls c = calls("c");
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
