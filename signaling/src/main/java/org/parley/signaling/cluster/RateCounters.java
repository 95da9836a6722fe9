package org.parley.signaling.cluster;

import java.time.Clock;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

/**
 * Message counters per user, for the limit over all of a user's connections (docs/protocol.md §3,
 * {@code parley.signaling.user-rate-limit}). Each user's window starts with its first message
 * and lasts {@code window}; in a cluster the counters live in Redis, so a user spreading its
 * messages over nodes meets the same limit.
 */
public interface RateCounters {

    /** A user's messages in its current window, and how long that window still runs. */
    record Count(long messages, long remainingMillis) {
    }

    /** Counts one message of {@code user}. */
    CompletionStage<Count> add(String user, Duration window);

    /** One process alone: counters in memory, completed at once. Loop thread only. */
    static RateCounters memory(Clock clock) {
        return new RateCounters() {
            private final Map<String, long[]> byUser = new HashMap<>();
            private int adds;

            @Override
            public CompletionStage<Count> add(String user, Duration window) {
                long now = clock.millis();
                if (++adds % 1024 == 0) {
                    byUser.values().removeIf(w -> w[1] <= now); // users who went quiet
                }
                long[] w = byUser.get(user);
                if (w == null || w[1] <= now) {
                    w = new long[] {0, now + window.toMillis()};
                    byUser.put(user, w);
                }
                w[0]++;
                return CompletableFuture.completedFuture(new Count(w[0], w[1] - now));
            }
        };
    }
}
