package org.parley.loadtest.stats;

import java.util.Map;

/**
 * One second (or one interval) of a run.
 *
 * @param seconds      time since the start of the run
 * @param participants live simulated participants (connections, parties in calls, conference members)
 * @param rates        counters' increase per second in this interval
 * @param totals       counters' values at the end of the interval
 * @param expected     media packets expected in this interval (from sequence numbers)
 * @param lost         media packets lost in this interval
 * @param latencies    each latency's percentiles in this interval
 * @param jitterMs     mean interarrival jitter over the received streams (RFC 3550 §6.4.1)
 * @param serverCpu    the target's process CPU use as a fraction of one core (1.0 = a core busy), or -1
 * @param serverForwardedPps media packets per second the relay sent, from its metrics, or -1
 */
public record Sample(double seconds, int participants, Map<String, Double> rates, Map<String, Long> totals,
        long expected, long lost, Map<String, Percentiles> latencies, double jitterMs, double serverCpu,
        double serverForwardedPps) {

    /** Loss in percent of the expected packets (0 when nothing was expected). */
    public double lossPercent() {
        return expected <= 0 ? 0 : 100.0 * lost / expected;
    }

    public double rate(String counter) {
        return rates.getOrDefault(counter, 0.0);
    }

    public Percentiles latency(String name) {
        return latencies.getOrDefault(name, Percentiles.EMPTY);
    }
}
