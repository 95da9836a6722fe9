package org.parley.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.lettuce.core.RedisClient;
import io.lettuce.core.api.StatefulRedisConnection;
import org.junit.jupiter.api.Test;

/** The fixture every cluster test stands on: a real Redis the Lettuce client talks to. */
class RedisServerProcessTest {

    @Test
    void lettuceTalksToTheRealRedis() {
        try (RedisServerProcess redis = RedisServerProcess.start()) {
            RedisClient client = RedisClient.create(redis.url());
            try (StatefulRedisConnection<String, String> c = client.connect()) {
                assertEquals("PONG", c.sync().ping());
                c.sync().set("parley:test", "1");
                assertEquals("1", c.sync().get("parley:test"));
            } finally {
                client.shutdown();
            }
        }
    }
}
