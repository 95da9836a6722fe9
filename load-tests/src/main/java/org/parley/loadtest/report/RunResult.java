package org.parley.loadtest.report;

import java.util.List;
import java.util.Map;
import org.parley.loadtest.stats.Percentiles;
import org.parley.loadtest.stats.Sample;

/**
 * Everything a run produced, as written to {@code result.json} and drawn in {@code report.html}.
 *
 * @param latencies     each latency over the whole run
 * @param distributions each latency's whole-run distribution: [percentile, milliseconds] pairs
 * @param totals        counters at the end
 * @param lossPercent   media loss over the whole run
 */
public record RunResult(String tool, String scenario, List<String> command, String target, String startedAt,
        double durationSeconds, Map<String, Object> settings, Map<String, Percentiles> latencies,
        Map<String, List<double[]>> distributions, Map<String, Long> totals, long packetsExpected,
        long packetsLost, double lossPercent, int participantsMax, double serverCpuMean, double serverCpuMax,
        double serverForwardedPpsMax, Map<String, Object> scenarioSummary, List<Sample> samples) {
}
