package org.parley.loadtest.report;

import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.parley.loadtest.stats.MemberFigures;
import org.parley.loadtest.stats.RunMetrics;
import org.parley.loadtest.stats.Sample;

/**
 * The self-contained HTML report: a summary table and inline SVG charts (no script, no CDN), so
 * it opens from a mail attachment or a CI artifact the same as on the machine that ran it.
 */
public final class HtmlReport {

    private HtmlReport() {
    }

    public static String render(RunResult r) {
        List<Sample> samples = r.samples();
        int n = samples.size();
        double[] t = new double[n];
        for (int i = 0; i < n; i++) {
            t[i] = samples.get(i).seconds();
        }
        StringBuilder b = new StringBuilder(64 * 1024);
        b.append("<!DOCTYPE html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>Parley load test: ")
                .append(escape(r.scenario())).append("</title><style>")
                .append("body{font-family:sans-serif;margin:24px;max-width:780px}")
                .append("table{border-collapse:collapse;margin:8px 0 16px}td,th{border:1px solid #ccc;padding:3px 8px;")
                .append("text-align:right}th{background:#f4f4f4}td:first-child,th:first-child{text-align:left}")
                .append("code{background:#f4f4f4;padding:2px 4px;word-break:break-all}")
                .append("</style></head><body>");
        b.append("<h1>Parley load test: ").append(escape(r.scenario())).append("</h1>");
        b.append("<p><code>").append(escape(String.join(" ", r.command()))).append("</code></p>");
        b.append("<table><tr><th>target</th><td>").append(escape(r.target())).append("</td></tr>")
                .append(row("started", r.startedAt()))
                .append(row("duration", org.parley.loadtest.Options.human(
                        java.time.Duration.ofMillis(Math.round(r.durationSeconds() * 1000)))))
                .append(row("participants (max)", Integer.toString(r.participantsMax())))
                .append(row("media packets expected / lost", r.packetsExpected() + " / " + r.packetsLost()))
                .append(row("loss (against what the senders sent)", String.format(Locale.ROOT, "%.3f %%", r.lossPercent())))
                .append(row("mean jitter", String.format(Locale.ROOT, "%.2f ms", r.jitterMs())))
                .append(row("server CPU mean / max (cores)", cpu(r.serverCpuMean()) + " / " + cpu(r.serverCpuMax())))
                .append(row("relay forwarded pps (max)", r.serverForwardedPpsMax() < 0 ? "n/a" : fmt(r.serverForwardedPpsMax())))
                .append("</table>");
        thresholds(b, r.thresholds());
        b.append("<h2>Settings</h2>");
        b.append(Cells.table(r.settings()));
        if (!r.scenarioSummary().isEmpty()) {
            b.append("<h2>Outcome</h2>");
            b.append(Cells.table(r.scenarioSummary()));
        }
        members(b, r.members());
        b.append("<h2>Latencies over the whole run (ms)</h2><table><tr><th>metric</th><th>count</th><th>p50</th>")
                .append("<th>p90</th><th>p99</th><th>p99.9</th><th>max</th><th>mean</th></tr>");
        r.latencies().forEach((name, p) -> b.append("<tr><td>").append(escape(describe(name))).append("</td><td>")
                .append(p.count()).append("</td><td>").append(fmt(p.p50())).append("</td><td>").append(fmt(p.p90()))
                .append("</td><td>").append(fmt(p.p99())).append("</td><td>").append(fmt(p.p999()))
                .append("</td><td>").append(fmt(p.max())).append("</td><td>").append(fmt(p.mean()))
                .append("</td></tr>"));
        b.append("</table>");
        b.append("<h2>Over time</h2>");
        for (String name : r.latencies().keySet()) {
            SvgChart c = new SvgChart(describe(name) + ": percentiles per second", "seconds", "ms");
            c.series("p50", t, pick(samples, s -> nonEmpty(s, name, s.latency(name).p50())));
            c.series("p90", t, pick(samples, s -> nonEmpty(s, name, s.latency(name).p90())));
            c.series("p99", t, pick(samples, s -> nonEmpty(s, name, s.latency(name).p99())));
            c.series("max", t, pick(samples, s -> nonEmpty(s, name, s.latency(name).max())));
            chart(b, c);
        }
        SvgChart rates = new SvgChart("Packets and messages per second", "seconds", "per second");
        rates.series("media packets received", t, pick(samples, s -> s.rate(RunMetrics.PACKETS_RECEIVED)));
        rates.series("media packets sent", t, pick(samples, s -> s.rate(RunMetrics.PACKETS_SENT)));
        rates.series("relay forwarded (server)", t, pick(samples, Sample::serverForwardedPps));
        chart(b, rates);
        String prefix = RunMetrics.PACKETS_RECEIVED + ".";
        List<String> byKind = n == 0 ? List.of()
                : samples.get(n - 1).totals().keySet().stream().filter(k -> k.startsWith(prefix)).toList();
        if (!byKind.isEmpty()) {
            SvgChart kinds = new SvgChart("Media packets received per second, by kind", "seconds", "per second");
            for (String name : byKind) {
                kinds.series(name.substring(prefix.length()), t, pick(samples, s -> s.rate(name)));
            }
            chart(b, kinds);
        }
        SvgChart loss = new SvgChart("Media loss", "seconds", "% of expected");
        loss.series("loss %", t, pick(samples, s -> s.expected() > 0 ? s.lossPercent() : Double.NaN));
        loss.series("jitter ms", t, pick(samples, s -> s.expected() > 0 ? s.jitterMs() : Double.NaN));
        chart(b, loss);
        SvgChart cpu = new SvgChart("Server CPU (from its /metrics)", "seconds", "cores busy");
        cpu.series("process CPU", t, pick(samples, Sample::serverCpu));
        chart(b, cpu);
        SvgChart load = new SvgChart("Load", "seconds", "count");
        load.series("participants", t, pick(samples, s -> s.participants()));
        load.series("errors (total)", t, pick(samples, s -> s.totals().getOrDefault(RunMetrics.ERRORS, 0L)));
        chart(b, load);
        for (Map.Entry<String, List<double[]>> d : r.distributions().entrySet()) {
            if (d.getValue().isEmpty()) {
                continue;
            }
            double[] x = new double[d.getValue().size()];
            double[] y = new double[x.length];
            for (int i = 0; i < x.length; i++) {
                x[i] = d.getValue().get(i)[0];
                y[i] = d.getValue().get(i)[1];
            }
            chart(b, new SvgChart(describe(d.getKey()) + ": distribution over the run", "percentile", "ms")
                    .series(d.getKey(), x, y));
        }
        b.append("<h2>Counters at the end</h2><table>");
        r.totals().forEach((k, v) -> b.append(row(k, Long.toString(v))));
        b.append("</table></body></html>\n");
        return b.toString();
    }

    /** A chart with a line to draw; one with a single point says nothing the tables do not. */
    private static void chart(StringBuilder b, SvgChart c) {
        if (c.points() >= 2) {
            b.append(c.render());
        }
    }

    private static void thresholds(StringBuilder b, List<ThresholdResult> thresholds) {
        b.append("<h2>Thresholds</h2>");
        if (thresholds.isEmpty()) {
            b.append("<p>None given (<code>--max-loss</code>, <code>--max-p99</code>, <code>--max-jitter</code>,"
                    + " <code>--min-streams</code>, <code>--max-errors</code>).</p>");
            return;
        }
        b.append("<table><tr><th>threshold</th><th>figure</th><th>limit</th><th>run</th><th>verdict</th></tr>");
        for (ThresholdResult t : thresholds) {
            b.append("<tr><td>").append(escape(t.option())).append("</td><td>").append(escape(t.figure()))
                    .append("</td><td>").append(escape(t.limit())).append("</td><td>").append(escape(t.actual()))
                    .append("</td><td>").append(t.passed() ? "pass" : "<b>FAIL</b>").append("</td></tr>");
        }
        b.append("</table>");
    }

    /** Rows of the member table in the report: the worst first, enough to find every bad one. */
    static final int REPORT_MEMBERS = 500;

    private static void members(StringBuilder b, List<MemberFigures> all) {
        if (all.isEmpty()) {
            return;
        }
        List<MemberFigures> members = MemberTable.worstFirst(all);
        b.append("<h2>Members</h2><p>What each simulated member received, worst first: streams received of those"
                + " it should have had, packets expected from what their senders sent, loss, mean jitter, and the"
                + " time from sign-in to its first media packet.</p><table><tr>");
        for (String c : MemberTable.COLUMNS) {
            b.append("<th>").append(escape(c)).append("</th>");
        }
        b.append("</tr>");
        for (MemberFigures m : members.subList(0, Math.min(REPORT_MEMBERS, members.size()))) {
            b.append("<tr>");
            for (String c : MemberTable.cells(m)) {
                b.append("<td>").append(escape(c)).append("</td>");
            }
            b.append("</tr>");
        }
        b.append("</table>");
        if (members.size() > REPORT_MEMBERS) {
            b.append("<p>").append(members.size() - REPORT_MEMBERS).append(" more in result.json.</p>");
        }
    }

    private static double nonEmpty(Sample s, String name, double v) {
        return s.latency(name).count() == 0 ? Double.NaN : v;
    }

    static String describe(String latency) {
        return switch (latency) {
            case RunMetrics.LATENCY -> "media latency (one-way)";
            case RunMetrics.PING -> "ping round trip (signaling keepalive)";
            case RunMetrics.JOIN -> "join time";
            case RunMetrics.SETUP -> "call set-up (invite to ringing)";
            case RunMetrics.ANSWER -> "answer (accept to accepted)";
            default -> latency;
        };
    }

    private interface Field {
        double of(Sample s);
    }

    private static double[] pick(List<Sample> samples, Field f) {
        double[] v = new double[samples.size()];
        for (int i = 0; i < v.length; i++) {
            v[i] = f.of(samples.get(i));
        }
        return v;
    }

    static String row(String k, String v) {
        return "<tr><th>" + escape(k) + "</th><td>" + escape(v) + "</td></tr>";
    }

    private static String cpu(double v) {
        return v < 0 ? "n/a" : String.format(Locale.ROOT, "%.2f", v);
    }

    static String fmt(double v) {
        return String.format(Locale.ROOT, Math.abs(v) >= 100 ? "%.0f" : "%.2f", v);
    }

    static String escape(String s) {
        if (s == null) {
            return "";
        }
        StringBuilder b = new StringBuilder(s.length());
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '<' -> b.append("&lt;");
                case '>' -> b.append("&gt;");
                case '&' -> b.append("&amp;");
                case '"' -> b.append("&quot;");
                default -> b.append(c);
            }
        }
        return b.toString();
    }
}
