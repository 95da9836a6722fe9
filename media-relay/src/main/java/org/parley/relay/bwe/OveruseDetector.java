package org.parley.relay.bwe;

/**
 * Turns the delay trend into a signal (draft-ietf-rmcat-gcc-02 section 5.4): overuse when the
 * trend stays above an adaptive threshold, underuse below its negative, normal in between. The
 * threshold follows the trend (section 5.4, equation for del_var_th) so that a path whose delay
 * varies a lot on its own, or another flow's loss-based sender sharing the bottleneck, does not
 * starve this one.
 */
final class OveruseDetector {

    enum Signal { NORMAL, OVERUSE, UNDERUSE }

    /** Trend is multiplied by this and the number of groups (up to {@value #MAX_DELTAS}), as Chromium. */
    static final double GAIN = 4;
    static final int MAX_DELTAS = 60;
    /** Start and bounds of the threshold, ms: gcc-02 section 5.4 suggests 12.5; 6..600 keeps it sane. */
    static final double INITIAL_THRESHOLD = 12.5;
    static final double MIN_THRESHOLD = 6;
    static final double MAX_THRESHOLD = 600;
    /** gcc-02 section 5.4: K_u, K_d; rises slowly, falls fast. */
    static final double K_UP = 0.0087;
    static final double K_DOWN = 0.039;
    /** A trend this far over the threshold is a spike (route change): it does not move the threshold. */
    static final double MAX_ADAPT_OFFSET = 15;
    /** gcc-02 section 5.4: overuse must last this long (ms) before it is signalled. */
    static final double OVERUSE_TIME_MILLIS = 10;

    private double threshold = INITIAL_THRESHOLD;
    private double overusingMillis = -1;
    private int overuseCount;
    private double previousTrend;
    private double lastUpdateMillis = -1;
    private Signal signal = Signal.NORMAL;

    /**
     * @param slope the delay trend's slope
     * @param groups groups in the trend so far
     * @param groupSpacingMillis send time between this group and the previous one
     * @param nowMillis arrival time of this group
     */
    Signal detect(double slope, int groups, double groupSpacingMillis, double nowMillis) {
        double trend = Math.min(groups, MAX_DELTAS) * slope * GAIN;
        if (trend > threshold) {
            overusingMillis = overusingMillis < 0 ? groupSpacingMillis / 2 : overusingMillis + groupSpacingMillis;
            overuseCount++;
            if (overusingMillis > OVERUSE_TIME_MILLIS && overuseCount > 1 && slope >= previousTrend) {
                overusingMillis = 0;
                overuseCount = 0;
                signal = Signal.OVERUSE;
            }
        } else if (trend < -threshold) {
            overusingMillis = -1;
            overuseCount = 0;
            signal = Signal.UNDERUSE;
        } else {
            overusingMillis = -1;
            overuseCount = 0;
            signal = Signal.NORMAL;
        }
        previousTrend = slope;
        adapt(trend, nowMillis);
        return signal;
    }

    private void adapt(double trend, double nowMillis) {
        if (lastUpdateMillis < 0) {
            lastUpdateMillis = nowMillis;
        }
        double excess = Math.abs(trend) - threshold;
        if (excess > MAX_ADAPT_OFFSET) {
            lastUpdateMillis = nowMillis;
            return;
        }
        double k = Math.abs(trend) < threshold ? K_DOWN : K_UP;
        double dt = Math.min(nowMillis - lastUpdateMillis, 100);
        threshold += k * excess * Math.max(dt, 0);
        threshold = Math.max(MIN_THRESHOLD, Math.min(MAX_THRESHOLD, threshold));
        lastUpdateMillis = nowMillis;
    }

    double threshold() {
        return threshold;
    }
}
