package org.parley.loadtest.stats;

import org.HdrHistogram.Histogram;

/** Summary of a latency distribution in milliseconds; all zero when {@code count} is 0. */
public record Percentiles(long count, double p50, double p90, double p99, double p999, double max, double mean) {

    public static final Percentiles EMPTY = new Percentiles(0, 0, 0, 0, 0, 0, 0);

    /** From a histogram of microseconds. */
    public static Percentiles of(Histogram h) {
        if (h.getTotalCount() == 0) {
            return EMPTY;
        }
        return new Percentiles(h.getTotalCount(), ms(h.getValueAtPercentile(50)), ms(h.getValueAtPercentile(90)),
                ms(h.getValueAtPercentile(99)), ms(h.getValueAtPercentile(99.9)), ms(h.getMaxValue()),
                h.getMean() / 1000.0);
    }

    private static double ms(long micros) {
        return micros / 1000.0;
    }
}
