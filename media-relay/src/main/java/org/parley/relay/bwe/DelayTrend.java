package org.parley.relay.bwe;

/**
 * The trend of the one-way queuing delay (draft-ietf-rmcat-gcc-02 section 5.3, in the form
 * Chromium's trendline estimator took): the delay variation of each packet group is accumulated,
 * smoothed, and a least-squares line is fitted through the last {@value #WINDOW} points of
 * (arrival time, smoothed delay). Its slope says whether queues along the path are filling
 * (positive), steady (about 0) or draining (negative). Fixed arrays; nothing allocated per update.
 */
final class DelayTrend {

    /**
     * Points in the regression: 20 groups are about 100 ms to 1 s of traffic, long enough to
     * average out jitter, short enough to see a queue building within a few hundred ms.
     */
    static final int WINDOW = 20;
    /** Exponential smoothing of the accumulated delay, as Chromium: damps single-group jitter. */
    static final double SMOOTHING = 0.9;

    private final double[] x = new double[WINDOW];
    private final double[] y = new double[WINDOW];
    private int count;
    private int deltas;
    private int head;
    private double accumulated;
    private double smoothed;
    private double slope;

    /**
     * Adds one group's delay variation (arrival spacing minus send spacing, ms) seen at
     * {@code arrivalMillis}; returns the slope of the delay over time after it (ms per ms).
     */
    double update(double delayVariationMillis, double arrivalMillis) {
        accumulated += delayVariationMillis;
        if (deltas < OveruseDetector.MAX_DELTAS) {
            deltas++;
        }
        smoothed = SMOOTHING * smoothed + (1 - SMOOTHING) * accumulated;
        x[head] = arrivalMillis;
        y[head] = smoothed;
        head = (head + 1) % WINDOW;
        if (count < WINDOW) {
            count++;
        }
        if (count == WINDOW) {
            slope = fit();
        }
        return slope;
    }

    /** Groups seen so far, up to the window. */
    int count() {
        return count;
    }

    /**
     * Delay variations seen so far, up to {@link OveruseDetector#MAX_DELTAS}: the detector scales
     * the slope by it (a long-standing trend is more certain than a young one).
     */
    int deltas() {
        return deltas;
    }

    double slope() {
        return slope;
    }

    private double fit() {
        double mx = 0;
        double my = 0;
        for (int i = 0; i < count; i++) {
            mx += x[i];
            my += y[i];
        }
        mx /= count;
        my /= count;
        double num = 0;
        double den = 0;
        for (int i = 0; i < count; i++) {
            num += (x[i] - mx) * (y[i] - my);
            den += (x[i] - mx) * (x[i] - mx);
        }
        return den == 0 ? slope : num / den;
    }
}
