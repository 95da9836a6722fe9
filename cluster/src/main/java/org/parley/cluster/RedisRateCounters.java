package org.parley.cluster;

import io.lettuce.core.ScriptOutputType;
import io.lettuce.core.api.async.RedisAsyncCommands;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletionStage;
import org.parley.signaling.cluster.RateCounters;

/**
 * Per-user message counters in Redis (docs/cluster.md), so that every node counts a user's
 * messages at all of them: one key per user, made by its first message in a window and expiring
 * with it.
 */
final class RedisRateCounters implements RateCounters {

    /** Counts one message; the window starts with the first. KEYS: counter. ARGV: window in ms. Returns {count, ms left}. */
    private static final String ADD = """
            local n = redis.call('INCR', KEYS[1])
            if n == 1 then redis.call('PEXPIRE', KEYS[1], ARGV[1]) end
            return {n, redis.call('PTTL', KEYS[1])}
            """;

    private final RedisAsyncCommands<String, String> redis;

    RedisRateCounters(RedisAsyncCommands<String, String> redis) {
        this.redis = redis;
    }

    @Override
    public CompletionStage<Count> add(String user, Duration window) {
        return redis.<List<Long>>eval(ADD, ScriptOutputType.MULTI, new String[] {Keys.rate(user)},
                Long.toString(window.toMillis())).thenApply(r -> new Count(r.get(0), r.get(1)));
    }
}
