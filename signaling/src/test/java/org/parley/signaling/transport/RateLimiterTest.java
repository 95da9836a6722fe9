package org.parley.signaling.transport;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Test;
import org.parley.signaling.ManualScheduler;
import org.parley.signaling.transport.RateLimiter.Verdict;

class RateLimiterTest {

    @Test
    void burstThenRefuseThenCloseAndRefillOverTime() {
        ManualScheduler clock = new ManualScheduler(Instant.EPOCH);
        RateLimiter limiter = new RateLimiter(10, 3, clock);
        assertEquals(Verdict.ACCEPT, limiter.take());
        assertEquals(Verdict.ACCEPT, limiter.take());
        assertEquals(Verdict.ACCEPT, limiter.take());
        assertEquals(Verdict.REFUSE, limiter.take());
        assertEquals(Verdict.REFUSE, limiter.take());
        assertEquals(Verdict.CLOSE, limiter.take());
    }

    @Test
    void refillsAtTheConfiguredRate() {
        ManualScheduler clock = new ManualScheduler(Instant.EPOCH);
        RateLimiter limiter = new RateLimiter(10, 2, clock);
        limiter.take();
        limiter.take();
        assertEquals(Verdict.REFUSE, limiter.take());
        clock.advance(Duration.ofMillis(200));
        // 200 ms at 10/s brings 2 tokens; one pays the debt of the refused message
        assertEquals(Verdict.ACCEPT, limiter.take());
        assertEquals(Verdict.REFUSE, limiter.take());
    }
}
