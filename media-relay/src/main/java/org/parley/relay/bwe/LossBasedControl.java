package org.parley.relay.bwe;

/**
 * The loss-based rate (draft-ietf-rmcat-gcc-02 section 6): from the fraction of packets the
 * receiver's feedback reports lost, at most every {@value #UPDATE_NANOS} ns over at least
 * {@value #MIN_PACKETS} packets. Above {@value #HIGH_LOSS} the rate is cut by half the loss; below
 * {@value #LOW_LOSS} it grows {@value #INCREASE} times; in between it holds.
 *
 * <p>One difference from the draft: a cut never goes below the acknowledged bitrate (and lands
 * on it when that is higher). The relay
 * cannot slow a publisher down to one receiver's link (only pick a lower layer), so loss at that
 * receiver lasts as long as the forwarded rate exceeds its link; the draft's rule, made for a
 * sender that obeys it, would then drive the estimate to the floor, although the receiver keeps
 * taking what it acknowledges.
 */
final class LossBasedControl {

    /** gcc-02 section 6: more than 10 % loss means congestion. */
    static final double HIGH_LOSS = 0.10;
    /** gcc-02 section 6: less than 2 % loss means room. */
    static final double LOW_LOSS = 0.02;
    /** gcc-02 section 6: the increase factor per update. */
    static final double INCREASE = 1.05;
    /**
     * One update per 200 ms: a feedback interval or two, and 1.05 per update stays below 30 %
     * growth per second, so the delay-based rate (which also bounds the estimate) leads.
     */
    static final long UPDATE_NANOS = 200_000_000L;
    /** A loss fraction over fewer packets is mostly noise. */
    static final int MIN_PACKETS = 20;
    /**
     * Cuts at most this often: the response time of the last cut (a 100 ms round trip plus 200 ms
     * as Chromium), so one burst of loss is not punished twice.
     */
    static final long DECREASE_INTERVAL_NANOS = 300_000_000L;

    private long received;
    private long lost;
    private long lastUpdateNanos = Long.MIN_VALUE;
    private long lastDecreaseNanos = Long.MIN_VALUE;
    private double lastLossFraction;

    void onPacket(boolean arrived) {
        if (arrived) {
            received++;
        } else {
            lost++;
        }
    }

    double lastLossFraction() {
        return lastLossFraction;
    }

    /** The new rate from {@code current}; unchanged when it is not time for an update yet. */
    long update(long current, long ackedBps, long nowNanos) {
        long total = received + lost;
        if (total < MIN_PACKETS || lastUpdateNanos != Long.MIN_VALUE && nowNanos - lastUpdateNanos < UPDATE_NANOS) {
            return current;
        }
        double p = (double) lost / total;
        received = 0;
        lost = 0;
        lastUpdateNanos = nowNanos;
        lastLossFraction = p;
        if (p > HIGH_LOSS) {
            if (lastDecreaseNanos != Long.MIN_VALUE && nowNanos - lastDecreaseNanos < DECREASE_INTERVAL_NANOS) {
                return current;
            }
            lastDecreaseNanos = nowNanos;
            return Math.max((long) (current * (1 - 0.5 * p)), ackedBps);
        }
        if (p < LOW_LOSS) {
            return (long) (current * INCREASE);
        }
        return current;
    }
}
