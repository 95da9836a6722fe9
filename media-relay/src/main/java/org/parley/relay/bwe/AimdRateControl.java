package org.parley.relay.bwe;

/**
 * The delay-based rate (draft-ietf-rmcat-gcc-02 section 5.5): on overuse the rate drops to
 * {@value #BETA} times what the receiver acknowledged; while the path is normal it grows, by
 * {@value #MULTIPLICATIVE_PER_SECOND} times per second far from the last known capacity and by
 * about one packet per response time near it; underuse holds it (queues drain first).
 */
final class AimdRateControl {

    private enum State { HOLD, INCREASE, DECREASE }

    /** gcc-02 section 5.5: beta in [0.8, 0.95]; 0.85 is the draft's and Chromium's choice. */
    static final double BETA = 0.85;
    /** gcc-02 section 5.5: eta = 1.08, an 8 % increase per second far from convergence. */
    static final double MULTIPLICATIVE_PER_SECOND = 1.08;
    /**
     * Near convergence: one 1200-byte packet per response time (a 100 ms round trip plus 100 ms
     * of feedback interval, gcc-02 section 5.5), i.e. 48 kbit/s per second.
     */
    static final double ADDITIVE_BPS_PER_SECOND = 1200 * 8 / 0.2;
    /**
     * gcc-02 section 5.5: the rate may not run ahead of what the receiver takes by more than 1.5
     * times (plus a little, so a near-idle link can still grow).
     */
    static final double MAX_OVER_ACKED = 1.5;
    static final long ACKED_SLACK_BPS = 10_000;
    /** An increase step is at most this long (s): a gap in feedback must not turn into a jump. */
    static final double MAX_STEP_SECONDS = 1.0;

    private final long minBps;
    private final long maxBps;
    private double rate;
    private State state = State.INCREASE;
    private double lastUpdateSeconds = -1;
    /** Mean and variance (normalised by the mean) of the acknowledged rate at decreases, kbit/s. */
    private double avgMaxKbps = -1;
    private double varMaxKbps = 0.4;

    AimdRateControl(long initialBps, long minBps, long maxBps) {
        this.rate = initialBps;
        this.minBps = minBps;
        this.maxBps = maxBps;
    }

    long rateBps() {
        return (long) rate;
    }

    /** A probe found the path carries {@code bps}: start from there. */
    void setRate(long bps) {
        rate = clamp(bps);
    }

    /** Applies the detector's signal at {@code nowSeconds}; {@code ackedBps} 0 when not known yet. */
    long update(OveruseDetector.Signal signal, long ackedBps, double nowSeconds) {
        double dt = lastUpdateSeconds < 0 ? 0 : Math.min(MAX_STEP_SECONDS, Math.max(0, nowSeconds - lastUpdateSeconds));
        lastUpdateSeconds = nowSeconds;
        switch (signal) {
            case OVERUSE -> state = State.DECREASE;
            case UNDERUSE -> state = State.HOLD;
            case NORMAL -> {
                if (state == State.HOLD || state == State.DECREASE) {
                    state = State.INCREASE;
                }
            }
        }
        if (state == State.DECREASE) {
            if (ackedBps > 0) {
                double decreased = BETA * ackedBps;
                rate = Math.min(rate, decreased);
                noteCapacity(ackedBps / 1000.0);
            } else {
                rate = BETA * rate;
            }
            state = State.HOLD;
        } else if (state == State.INCREASE) {
            double ackedKbps = ackedBps / 1000.0;
            if (avgMaxKbps >= 0 && ackedKbps > avgMaxKbps + 3 * Math.sqrt(varMaxKbps * avgMaxKbps)) {
                avgMaxKbps = -1; // the link got faster than it was: find its new capacity quickly
            }
            double increased = avgMaxKbps >= 0 ? rate + ADDITIVE_BPS_PER_SECOND * dt
                    : rate * Math.pow(MULTIPLICATIVE_PER_SECOND, dt);
            double limit = MAX_OVER_ACKED * ackedBps + ACKED_SLACK_BPS;
            // The limit stops increases; it never lowers a rate a probe or the start value set.
            rate = ackedBps > 0 && increased > limit ? Math.max(rate, limit) : increased;
        }
        rate = clamp((long) rate);
        return (long) rate;
    }

    /** gcc-02 section 5.5: the capacity estimate that tells "near convergence" apart. */
    private void noteCapacity(double ackedKbps) {
        if (avgMaxKbps < 0) {
            avgMaxKbps = ackedKbps;
        } else {
            avgMaxKbps = 0.95 * avgMaxKbps + 0.05 * ackedKbps;
        }
        double norm = Math.max(avgMaxKbps, 1);
        double err = avgMaxKbps - ackedKbps;
        varMaxKbps = 0.95 * varMaxKbps + 0.05 * err * err / norm;
        varMaxKbps = Math.max(0.4, Math.min(2.5, varMaxKbps));
    }

    private double clamp(long bps) {
        return Math.max(minBps, Math.min(maxBps, bps));
    }
}
