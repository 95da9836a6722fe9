package org.parley.loadtest;

import java.util.ArrayList;
import java.util.List;
import org.parley.loadtest.report.RunResult;
import org.parley.loadtest.report.ThresholdResult;
import org.parley.loadtest.stats.MemberFigures;
import org.parley.loadtest.stats.Percentiles;
import org.parley.loadtest.stats.RunMetrics;

/**
 * Pass/fail limits on a run's figures, as k6's thresholds are: each given option is judged at
 * the end, printed in the summary and the report, and any that fails makes the run exit with
 * {@link #EXIT_FAILED}. None is set unless given.
 */
final class Thresholds {

    /** Exit status of a run that completed but broke a threshold (k6 uses 99 too). */
    static final int EXIT_FAILED = 99;

    private final double maxLoss;
    private final double maxP99;
    private final double maxJitter;
    private final double minStreams;
    private final double maxErrors;

    private Thresholds(double maxLoss, double maxP99, double maxJitter, double minStreams, double maxErrors) {
        this.maxLoss = maxLoss;
        this.maxP99 = maxP99;
        this.maxJitter = maxJitter;
        this.minStreams = minStreams;
        this.maxErrors = maxErrors;
    }

    /** No threshold: {@code capacity}, which judges its steps with its own --max-loss and --max-p99. */
    static Thresholds none() {
        return new Thresholds(-1, -1, -1, -1, -1);
    }

    static Thresholds parse(Options o) {
        return new Thresholds(percent(o, "max-loss"), o.number("max-p99", -1, 0, 1e9),
                o.number("max-jitter", -1, 0, 1e9), percent(o, "min-streams"), o.integer("max-errors", -1, 0,
                        Integer.MAX_VALUE));
    }

    /** {@code 1}, {@code 1%} or {@code 0.5 %}: a percentage from 0 to 100; -1 when not given. */
    private static double percent(Options o, String name) {
        String v = o.string(name, null);
        if (v == null) {
            return -1;
        }
        String n = v.trim();
        if (n.endsWith("%")) {
            n = n.substring(0, n.length() - 1).trim();
        }
        try {
            double p = Double.parseDouble(n);
            if (!(p >= 0 && p <= 100)) {
                throw new IllegalArgumentException("--" + name + ": " + v + " is outside 0..100 %");
            }
            return p;
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("--" + name + ": not a percentage (1, 0.5%): " + v);
        }
    }

    /** Judges every threshold given against the run's figures. */
    List<ThresholdResult> judge(RunResult r) {
        List<ThresholdResult> out = new ArrayList<>();
        boolean media = r.packetsExpected() > 0;
        if (maxLoss >= 0) {
            out.add(new ThresholdResult("--max-loss", "media loss over the run (against what the senders sent)",
                    "<= " + num(maxLoss) + " %", media ? num(r.lossPercent()) + " %" : "no media measured",
                    media && r.lossPercent() <= maxLoss));
        }
        if (maxP99 >= 0) {
            Percentiles p = r.latencies().getOrDefault(RunMetrics.LATENCY, Percentiles.EMPTY);
            out.add(new ThresholdResult("--max-p99", "one-way media latency p99 over the run", "<= " + num(maxP99) + " ms",
                    p.count() > 0 ? num(p.p99()) + " ms" : "no media measured", p.count() > 0 && p.p99() <= maxP99));
        }
        if (maxJitter >= 0) {
            out.add(new ThresholdResult("--max-jitter", "mean interarrival jitter of the received streams (RFC 3550)",
                    "<= " + num(maxJitter) + " ms", media ? num(r.jitterMs()) + " ms" : "no media measured",
                    media && r.jitterMs() <= maxJitter));
        }
        if (minStreams >= 0) {
            long got = 0;
            long expected = 0;
            for (MemberFigures m : r.members()) {
                got += Math.min(m.streamsReceived(), m.streamsExpected());
                expected += m.streamsExpected();
            }
            double pct = expected == 0 ? 0 : 100.0 * got / expected;
            out.add(new ThresholdResult("--min-streams", "streams received, of those the members should have had",
                    ">= " + num(minStreams) + " %", expected == 0 ? "no streams expected"
                            : num(pct) + " % (" + got + " of " + expected + ")", expected > 0 && pct >= minStreams));
        }
        if (maxErrors >= 0) {
            long errors = r.totals().getOrDefault(RunMetrics.ERRORS, 0L);
            out.add(new ThresholdResult("--max-errors", "errors", "<= " + (long) maxErrors, Long.toString(errors),
                    errors <= maxErrors));
        }
        return out;
    }

    /** At most three decimals, no trailing zeros: 1, 0.5, 12.345. */
    private static String num(double v) {
        return java.math.BigDecimal.valueOf(v).setScale(3, java.math.RoundingMode.HALF_UP).stripTrailingZeros()
                .toPlainString();
    }
}
