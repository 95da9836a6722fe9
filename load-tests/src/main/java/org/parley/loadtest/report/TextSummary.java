package org.parley.loadtest.report;

import java.io.PrintStream;
import java.util.List;
import java.util.Locale;
import org.parley.loadtest.stats.MemberFigures;
import org.parley.loadtest.stats.Percentiles;
import org.parley.loadtest.stats.RunMetrics;

/**
 * The summary printed when a run ends: media figures, the per-member table (worst first, as
 * {@code lk load-test} prints one row per tester) and the thresholds with their verdicts.
 */
public final class TextSummary {

    /** Rows of the member table on the console; the report has them all. */
    static final int CONSOLE_MEMBERS = 20;

    private TextSummary() {
    }

    public static void print(RunResult r, PrintStream out) {
        out.println();
        out.println("summary");
        if (r.packetsExpected() > 0) {
            Percentiles p = r.latencies().getOrDefault(RunMetrics.LATENCY, Percentiles.EMPTY);
            out.printf(Locale.ROOT, "  media: %d packets expected (from what the senders sent), %d lost: %.3f %% loss,"
                    + " one-way p99 %.2f ms, mean jitter %.2f ms%n", r.packetsExpected(), r.packetsLost(),
                    r.lossPercent(), p.p99(), r.jitterMs());
        }
        out.printf(Locale.ROOT, "  errors: %d%n", r.totals().getOrDefault(RunMetrics.ERRORS, 0L));
        List<MemberFigures> members = MemberTable.worstFirst(r.members());
        if (!members.isEmpty()) {
            out.println();
            out.println("  " + MemberTable.header());
            members.stream().limit(CONSOLE_MEMBERS).forEach(m -> out.println("  " + MemberTable.line(m)));
            if (members.size() > CONSOLE_MEMBERS) {
                out.printf(Locale.ROOT, "  ... %d more members in report.html (worst first above)%n",
                        members.size() - CONSOLE_MEMBERS);
            }
        }
        out.println();
        if (r.thresholds().isEmpty()) {
            out.println("  thresholds: none given (--max-loss, --max-p99, --max-jitter, --min-streams, --max-errors)");
        } else {
            out.println("  thresholds:");
            for (ThresholdResult t : r.thresholds()) {
                out.printf(Locale.ROOT, "    %-4s %-13s %s: %s (limit %s)%n", t.passed() ? "ok" : "FAIL", t.option(),
                        t.figure(), t.actual(), t.limit());
            }
            if (r.thresholdFailed()) {
                out.println("  a threshold failed: exit status 99");
            }
        }
    }
}
