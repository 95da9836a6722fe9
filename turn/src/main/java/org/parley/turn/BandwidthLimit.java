package org.parley.turn;

/**
 * A token bucket over bytes (coturn: max-bps): one second's worth of burst, refilled continuously.
 * Confined to the event loop; no locking.
 */
final class BandwidthLimit {
    private final long bytesPerSecond;
    private double tokens;
    private long lastMillis;

    BandwidthLimit(long bytesPerSecond, long nowMillis) {
        this.bytesPerSecond = bytesPerSecond;
        this.tokens = bytesPerSecond;
        this.lastMillis = nowMillis;
    }

    /** True when {@code bytes} may pass now (and takes them from the bucket). */
    boolean tryConsume(int bytes, long nowMillis) {
        long elapsed = nowMillis - lastMillis;
        if (elapsed > 0) {
            tokens = Math.min(bytesPerSecond, tokens + elapsed * bytesPerSecond / 1000.0);
            lastMillis = nowMillis;
        }
        if (tokens < bytes) {
            return false;
        }
        tokens -= bytes;
        return true;
    }
}
