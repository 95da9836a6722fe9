package org.parley.signaling.transport;

import java.time.Clock;

/**
 * A token bucket per connection: {@code rate} messages per second sustained, {@code burst} at once.
 * Refused messages go into debt, so a client that keeps flooding digs itself deeper; a debt of a
 * whole burst means the client ignores the {@code rate_limited} errors and is cut off.
 *
 * <p>Used by one Netty event loop thread only.
 */
public final class RateLimiter {

    /** What to do with one message. */
    public enum Verdict { ACCEPT, REFUSE, CLOSE }

    private final double ratePerMilli;
    private final double burst;
    private final Clock clock;
    private double tokens;
    private long lastMillis;

    public RateLimiter(double messagesPerSecond, int burst, Clock clock) {
        this.ratePerMilli = messagesPerSecond / 1000.0;
        this.burst = burst;
        this.clock = clock;
        this.tokens = burst;
        this.lastMillis = clock.millis();
    }

    public Verdict take() {
        long now = clock.millis();
        if (now > lastMillis) {
            tokens = Math.min(burst, tokens + (now - lastMillis) * ratePerMilli);
            lastMillis = now;
        }
        if (tokens >= 1) {
            tokens -= 1;
            return Verdict.ACCEPT;
        }
        tokens -= 1;
        return tokens <= -burst ? Verdict.CLOSE : Verdict.REFUSE;
    }
}
