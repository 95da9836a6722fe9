package org.parley.signaling;

import java.time.Clock;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import org.parley.signaling.cluster.RateCounters;

/**
 * The limit on one user's messages over all its connections, at every node
 * ({@code parley.signaling.user-rate-limit}, docs/protocol.md §3): at most {@code messages} per
 * window. Counted in {@link RateCounters}; with counters in Redis the answer comes after the
 * message was let through, so a user goes over by the messages in flight at that moment and is
 * refused from the next one until its window ends. Loop thread only.
 */
final class UserRateLimit {

    private final SignalingConfig.UserRateLimit config;
    private final RateCounters counters;
    private final Clock clock;
    private final Executor loop;
    /** Users over the limit, until their window ends (epoch ms). */
    private final Map<String, Long> overUntil = new HashMap<>();

    UserRateLimit(SignalingConfig.UserRateLimit config, RateCounters counters, Clock clock, Executor loop) {
        this.config = config;
        this.counters = counters;
        this.clock = clock;
        this.loop = loop;
    }

    /** Counts a message of {@code user}; false when the user is over its limit (the message is refused, uncounted). */
    boolean admit(String user) {
        if (!config.enabled()) {
            return true;
        }
        long now = clock.millis();
        Long until = overUntil.get(user);
        if (until != null) {
            if (now < until) {
                return false;
            }
            overUntil.remove(user);
        }
        CompletableFuture<RateCounters.Count> count = counters.add(user, config.window()).toCompletableFuture();
        if (count.isDone() && !count.isCompletedExceptionally()) {
            return counted(user, count.join());
        }
        // Redis not answered yet (or failing: then nobody is limited rather than everybody)
        count.thenAcceptAsync(c -> counted(user, c), loop);
        return true;
    }

    private boolean counted(String user, RateCounters.Count c) {
        if (c.messages() <= config.messages()) {
            return true;
        }
        overUntil.put(user, clock.millis() + Math.max(1, c.remainingMillis()));
        return false;
    }
}
