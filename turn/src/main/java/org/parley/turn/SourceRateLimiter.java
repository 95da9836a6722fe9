package org.parley.turn;

import java.net.InetAddress;
import java.util.HashMap;
import java.util.Iterator;
import java.util.Map;

/**
 * Limits answers to unauthenticated requests per source address (a token bucket each), so the
 * server cannot be used to amplify traffic at a spoofed victim (RFC 8489 §16.1, RFC 8656 §21.1).
 * Confined to the event loop.
 */
final class SourceRateLimiter {
    /** More tracked sources than this and new ones are refused until the next sweep. */
    private static final int MAX_SOURCES = 100_000;

    private static final class Bucket {
        double tokens;
        long lastMillis;
    }

    private final Map<InetAddress, Bucket> buckets = new HashMap<>();
    private final double perSecond;
    private final int burst;

    SourceRateLimiter(int perSecond, int burst) {
        this.perSecond = perSecond;
        this.burst = burst;
    }

    boolean tryAcquire(InetAddress source, long nowMillis) {
        Bucket b = buckets.get(source);
        if (b == null) {
            if (buckets.size() >= MAX_SOURCES) {
                return false;
            }
            b = new Bucket();
            b.tokens = burst;
            b.lastMillis = nowMillis;
            buckets.put(source, b);
        }
        long elapsed = nowMillis - b.lastMillis;
        if (elapsed > 0) {
            b.tokens = Math.min(burst, b.tokens + elapsed * perSecond / 1000.0);
            b.lastMillis = nowMillis;
        }
        if (b.tokens < 1) {
            return false;
        }
        b.tokens -= 1;
        return true;
    }

    /** Forgets sources whose bucket has refilled (they are back at the default). */
    void sweep(long nowMillis) {
        long refill = (long) (burst * 1000 / perSecond) + 1;
        for (Iterator<Bucket> it = buckets.values().iterator(); it.hasNext(); ) {
            if (nowMillis - it.next().lastMillis > refill) {
                it.remove();
            }
        }
    }
}
