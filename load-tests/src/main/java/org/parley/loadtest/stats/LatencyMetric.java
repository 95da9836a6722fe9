package org.parley.loadtest.stats;

import org.HdrHistogram.Histogram;
import org.HdrHistogram.Recorder;

/**
 * One latency measured during a run (media one-way latency, join time, call set-up time), in
 * microseconds: recorded from any thread through HdrHistogram's {@link Recorder}, read once per
 * interval by the sampler, and accumulated over the whole run for the summary.
 */
public final class LatencyMetric {

    /** Longest value kept: one minute; longer values are clamped so a stall still shows. */
    static final long HIGHEST_MICROS = 60_000_000L;

    private final String name;
    private final Recorder recorder = new Recorder(HIGHEST_MICROS, 3);
    private final Histogram total = new Histogram(HIGHEST_MICROS, 3);
    private Histogram interval;

    public LatencyMetric(String name) {
        this.name = name;
    }

    public String name() {
        return name;
    }

    /** Records one value in nanoseconds. */
    public void recordNanos(long nanos) {
        recordMicros(Math.max(0, nanos / 1000));
    }

    public void recordMicros(long micros) {
        recorder.recordValue(Math.min(Math.max(0, micros), HIGHEST_MICROS));
    }

    /** Closes the interval (sampler thread only): the values since the last call. */
    public synchronized Percentiles sampleInterval() {
        interval = recorder.getIntervalHistogram(interval);
        total.add(interval);
        return Percentiles.of(interval);
    }

    /** Everything recorded up to the last {@link #sampleInterval()}. */
    public synchronized Percentiles total() {
        return Percentiles.of(total);
    }

    /** A copy of the whole-run histogram (for distribution charts). */
    public synchronized Histogram totalHistogram() {
        return total.copy();
    }
}
