package org.parley.loadtest;

import java.util.Locale;
import org.parley.loadtest.stats.Percentiles;
import org.parley.loadtest.stats.RunMetrics;
import org.parley.loadtest.stats.Sample;

/** The line printed once a second while a run goes: participants, pps, loss, p99 and the rest. */
final class ProgressLine {

    private ProgressLine() {
    }

    static String format(Sample s, String scenarioPart) {
        StringBuilder b = new StringBuilder(160);
        b.append(String.format(Locale.ROOT, "[%5.0fs] participants %d | pps %.0f | loss %.2f%% | p99 %s",
                s.seconds(), s.participants(), s.rate(RunMetrics.PACKETS_RECEIVED), s.lossPercent(),
                ms(s.latency(RunMetrics.LATENCY))));
        Percentiles ping = s.latency(RunMetrics.PING);
        if (ping.count() > 0) {
            b.append(" | ping p99 ").append(ms(ping));
        }
        Percentiles join = s.latency(RunMetrics.JOIN);
        if (join.count() > 0) {
            b.append(" | join p99 ").append(ms(join));
        }
        Percentiles setup = s.latency(RunMetrics.SETUP);
        if (setup.count() > 0) {
            b.append(" | setup p99 ").append(ms(setup));
        }
        if (!scenarioPart.isEmpty()) {
            b.append(" | ").append(scenarioPart);
        }
        b.append(" | errors ").append(s.totals().getOrDefault(RunMetrics.ERRORS, 0L));
        if (s.serverCpu() >= 0) {
            b.append(String.format(Locale.ROOT, " | server cpu %.2f cores", s.serverCpu()));
        }
        if (s.serverForwardedPps() >= 0) {
            b.append(String.format(Locale.ROOT, " | relay out %.0f pps", s.serverForwardedPps()));
        }
        return b.toString();
    }

    private static String ms(Percentiles p) {
        return p.count() == 0 ? "-" : String.format(Locale.ROOT, "%.2f ms", p.p99());
    }
}
