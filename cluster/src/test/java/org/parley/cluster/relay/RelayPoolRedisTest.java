package org.parley.cluster.relay;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.lettuce.core.RedisClient;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.api.sync.RedisCommands;
import java.net.URI;
import java.time.Clock;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.parley.cluster.RedisServerProcess;

/** The pool's keys in a real Redis: relay registrations, the directory that reads them, placements. */
class RelayPoolRedisTest {

    private static RedisServerProcess redis;
    private static RedisClient client;
    private static StatefulRedisConnection<String, String> connection;
    private static RedisCommands<String, String> commands;

    @BeforeAll
    static void startRedis() {
        redis = RedisServerProcess.start();
        client = RedisClient.create(redis.url());
        connection = client.connect();
        commands = connection.sync();
    }

    @AfterAll
    static void stopRedis() {
        connection.close();
        client.shutdown();
        redis.close();
    }

    private static RelayPoolConfig config(String region) {
        return new RelayPoolConfig(Optional.of(URI.create(redis.url())), region, Optional.empty(),
                Duration.ofMillis(200), Duration.ofSeconds(3), "", Duration.ofMillis(500), Duration.ofMinutes(10));
    }

    private static void await(String what, java.util.function.BooleanSupplier condition) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
        while (!condition.getAsBoolean()) {
            assertTrue(System.nanoTime() < deadline, what);
            Thread.sleep(20);
        }
    }

    @Test
    void aRelayRegistersItsLoadWithATtlDrainsAndLeavesOnStop() throws Exception {
        RelayRegistration r = new RelayRegistration(commands, config("eu-west"),
                () -> URI.create("http://10.0.0.5:8080"), () -> new RelayLoad(7, 1200, 0.25), Clock.systemUTC());
        r.start();
        String key = RelayKeys.relay(r.id());
        Map<String, String> fields = commands.hgetall(key);
        assertEquals("http://10.0.0.5:8080", fields.get("url"));
        assertEquals("eu-west", fields.get("region"));
        assertEquals("7", fields.get("endpoints"));
        assertEquals("1200", fields.get("pps"));
        assertEquals("0", fields.get("draining"));
        long ttl = commands.pttl(key);
        assertTrue(ttl > 0 && ttl <= 3000, "a registration expires on its own: " + ttl);

        RelayInfo seen = new RelayDirectory(commands).read().get(r.id());
        assertEquals(new RelayLoad(7, 1200, 0.25), seen.load());
        assertTrue(seen.takesConferences());

        r.drain();
        await("draining is registered", () -> "1".equals(commands.hget(key, "draining")));
        assertFalse(new RelayDirectory(commands).read().get(r.id()).takesConferences());

        r.close();
        assertEquals(0, commands.exists(key));
        assertFalse(commands.sismember(RelayKeys.INDEX, r.id()));
    }

    @Test
    void theDirectoryDropsRelaysWhoseRegistrationExpired() {
        commands.sadd(RelayKeys.INDEX, "dead-relay");
        commands.hset(RelayKeys.relay("half-written"), Map.of("region", "x"));
        commands.sadd(RelayKeys.INDEX, "half-written");
        Map<String, RelayInfo> live = new RelayDirectory(commands).read();
        assertFalse(live.containsKey("dead-relay"));
        assertFalse(live.containsKey("half-written"), "a hash without a control URL is no registration");
        assertFalse(commands.sismember(RelayKeys.INDEX, "dead-relay"), "pruned from the index");
    }

    @Test
    void theFirstPlacementWinsAndAMoveOnlyReplacesTheRelayBeingLeft() {
        ConferencePlacement p = new ConferencePlacement(commands, Duration.ofMinutes(10));
        assertEquals("relay-a", p.claim("conf-1", "relay-a"));
        assertEquals("relay-a", p.claim("conf-1", "relay-b"), "another node finds it placed already");
        assertEquals("relay-c", p.replace("conf-1", "relay-a", "relay-c"));
        assertEquals("relay-c", p.replace("conf-1", "relay-a", "relay-d"), "moved already by another node");
        assertTrue(commands.pttl(RelayKeys.placement("conf-1")) > 0, "a placement expires unless renewed");
        p.forget("conf-1");
        assertEquals(Optional.empty(), p.get("conf-1"));
    }
}
