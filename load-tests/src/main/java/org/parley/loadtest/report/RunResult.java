package org.parley.loadtest.report;

import java.util.List;
import java.util.Map;
import org.parley.loadtest.stats.MemberFigures;
import org.parley.loadtest.stats.Percentiles;
import org.parley.loadtest.stats.Sample;

/**
 * Everything a run produced, as written to {@code result.json} and drawn in {@code report.html}.
 *
 * @param latencies     each latency over the whole run
 * @param distributions each latency's whole-run distribution: [percentile, milliseconds] pairs
 * @param totals        counters at the end
 * @param lossPercent   media loss over the whole run, against what the senders sent
 * @param jitterMs      mean interarrival jitter of every received stream at the end
 * @param members       what each simulated member received (media scenarios)
 * @param thresholds    the pass/fail thresholds given, judged
 */
public record RunResult(String tool, String scenario, List<String> command, String target, String startedAt,
        double durationSeconds, Map<String, Object> settings, Map<String, Percentiles> latencies,
        Map<String, List<double[]>> distributions, Map<String, Long> totals, long packetsExpected,
        long packetsLost, double lossPercent, int participantsMax, double serverCpuMean, double serverCpuMax,
        double serverForwardedPpsMax, Map<String, Object> scenarioSummary, List<Sample> samples, double jitterMs,
        List<MemberFigures> members, List<ThresholdResult> thresholds) {

    /** The same result, judged. */
    public RunResult withThresholds(List<ThresholdResult> judged) {
        return new RunResult(tool, scenario, command, target, startedAt, durationSeconds, settings, latencies,
                distributions, totals, packetsExpected, packetsLost, lossPercent, participantsMax, serverCpuMean,
                serverCpuMax, serverForwardedPpsMax, scenarioSummary, samples, jitterMs, members, judged);
    }

    /** True when a threshold was given and the run broke it. */
    public boolean thresholdFailed() {
        return thresholds.stream().anyMatch(t -> !t.passed());
    }
}
