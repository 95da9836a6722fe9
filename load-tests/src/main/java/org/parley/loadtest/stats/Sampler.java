package org.parley.loadtest.stats;

import java.util.Map;
import java.util.TreeMap;

/**
 * Turns {@link RunMetrics} into one {@link Sample} per interval: counter deltas become rates,
 * recorders are swapped, stream counts are differenced. Used by one thread.
 */
public final class Sampler {

    /**
     * The least time a sender's count waits before receivers are held to it: a packet sent just
     * before one sample is in flight, not lost, at a sample a few milliseconds later (the run's
     * last interval ends when the duration does, often just after a whole second).
     */
    static final long SETTLE_NANOS = 500_000_000L;

    private final RunMetrics metrics;
    private final Map<String, Long> lastCounters = new TreeMap<>();
    private long lastExpected;
    private long lastLost;
    private long lastNanos;
    private long lastSettleNanos;
    private final long startNanos;

    public Sampler(RunMetrics metrics, long startNanos) {
        this.metrics = metrics;
        this.startNanos = startNanos;
        this.lastNanos = startNanos;
        this.lastSettleNanos = startNanos;
    }

    /** The interval ending at {@code nowNanos}, with the server figures read meanwhile. */
    public Sample sample(long nowNanos, double serverCpu, double serverForwardedPps) {
        double seconds = Math.max(1e-9, (nowNanos - lastNanos) / 1e9);
        lastNanos = nowNanos;
        Map<String, Double> rates = new TreeMap<>();
        Map<String, Long> totals = new TreeMap<>();
        metrics.counters().forEach((name, adder) -> {
            long v = adder.sum();
            long before = lastCounters.getOrDefault(name, 0L);
            lastCounters.put(name, v);
            rates.put(name, (v - before) / seconds);
            totals.put(name, v);
        });
        if (nowNanos - lastSettleNanos >= SETTLE_NANOS) {
            metrics.settleSenders();
            lastSettleNanos = nowNanos;
        }
        long expected = 0;
        long lost = 0;
        double jitter = 0;
        int n = 0;
        for (StreamReception s : metrics.streams()) {
            expected += s.expected();
            lost += s.lost();
            jitter += s.jitterMillis();
            n++;
        }
        long intervalExpected = expected - lastExpected;
        // Lost can shrink when a late packet arrives; an interval never reports negative loss.
        long intervalLost = Math.max(0, lost - lastLost);
        lastExpected = expected;
        lastLost = Math.max(lost, lastLost);
        Map<String, Percentiles> latencies = new TreeMap<>();
        metrics.latencies().forEach((name, m) -> latencies.put(name, m.sampleInterval()));
        return new Sample((nowNanos - startNanos) / 1e9, metrics.participants().get(), rates, totals,
                intervalExpected, intervalLost, latencies, n == 0 ? 0 : jitter / n, serverCpu, serverForwardedPps);
    }
}
