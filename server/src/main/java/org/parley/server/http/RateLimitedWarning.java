package org.parley.server.http;

import java.util.function.LongSupplier;
import org.slf4j.Logger;

/**
 * A warning logged at most once per interval, however often it happens: a flood of refused
 * connections must not become a flood of log lines (the disk is the next thing an attacker would
 * fill). The next line after a quiet spell says how many were left out.
 */
final class RateLimitedWarning {

    private final Logger log;
    private final long intervalNanos;
    private final LongSupplier nanoTime;
    private boolean loggedOnce;
    private long lastNanos;
    private long suppressed;

    RateLimitedWarning(Logger log, long intervalNanos, LongSupplier nanoTime) {
        this.log = log;
        this.intervalNanos = intervalNanos;
        this.nanoTime = nanoTime;
    }

    /** Logs {@code message} (formatted with {@code args}) unless one was logged within the interval. */
    synchronized void warn(String message, Object... args) {
        long now = nanoTime.getAsLong();
        if (loggedOnce && now - lastNanos < intervalNanos) {
            suppressed++;
            return;
        }
        String text = org.slf4j.helpers.MessageFormatter.arrayFormat(message, args).getMessage();
        if (suppressed > 0) {
            text += " (and " + suppressed + " more like it not logged)";
        }
        log.warn(text);
        loggedOnce = true;
        lastNanos = now;
        suppressed = 0;
    }
}
