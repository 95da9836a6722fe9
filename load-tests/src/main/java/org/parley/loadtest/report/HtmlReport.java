package org.parley.loadtest.report;

import java.util.List;
import java.util.Locale;
import java.util.Map;
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
                .append(row("duration", fmt(r.durationSeconds()) + " s"))
                .append(row("participants (max)", Integer.toString(r.participantsMax())))
                .append(row("media packets expected / lost", r.packetsExpected() + " / " + r.packetsLost()))
                .append(row("loss", String.format(Locale.ROOT, "%.3f %%", r.lossPercent())))
                .append(row("server CPU mean / max (cores)", cpu(r.serverCpuMean()) + " / " + cpu(r.serverCpuMax())))
                .append(row("relay forwarded pps (max)", r.serverForwardedPpsMax() < 0 ? "n/a" : fmt(r.serverForwardedPpsMax())))
                .append("</table>");
        b.append("<h2>Settings</h2><table>");
        r.settings().forEach((k, v) -> b.append(row(k, String.valueOf(v))));
        b.append("</table>");
        if (!r.scenarioSummary().isEmpty()) {
            b.append("<h2>Outcome</h2><table>");
            r.scenarioSummary().forEach((k, v) -> b.append(row(k, String.valueOf(v))));
            b.append("</table>");
        }
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
            b.append(c.render());
        }
        SvgChart rates = new SvgChart("Packets and messages per second", "seconds", "per second");
        rates.series("media packets received", t, pick(samples, s -> s.rate(RunMetrics.PACKETS_RECEIVED)));
        rates.series("media packets sent", t, pick(samples, s -> s.rate(RunMetrics.PACKETS_SENT)));
        rates.series("relay forwarded (server)", t, pick(samples, Sample::serverForwardedPps));
        b.append(rates.render());
        String prefix = RunMetrics.PACKETS_RECEIVED + ".";
        List<String> byKind = n == 0 ? List.of()
                : samples.get(n - 1).totals().keySet().stream().filter(k -> k.startsWith(prefix)).toList();
        if (!byKind.isEmpty()) {
            SvgChart kinds = new SvgChart("Media packets received per second, by kind", "seconds", "per second");
            for (String name : byKind) {
                kinds.series(name.substring(prefix.length()), t, pick(samples, s -> s.rate(name)));
            }
            b.append(kinds.render());
        }
        SvgChart loss = new SvgChart("Media loss", "seconds", "% of expected");
        loss.series("loss %", t, pick(samples, s -> s.expected() > 0 ? s.lossPercent() : Double.NaN));
        loss.series("jitter ms", t, pick(samples, s -> s.expected() > 0 ? s.jitterMs() : Double.NaN));
        b.append(loss.render());
        SvgChart cpu = new SvgChart("Server CPU (from its /metrics)", "seconds", "cores busy");
        cpu.series("process CPU", t, pick(samples, Sample::serverCpu));
        b.append(cpu.render());
        SvgChart load = new SvgChart("Load", "seconds", "count");
        load.series("participants", t, pick(samples, s -> s.participants()));
        load.series("errors (total)", t, pick(samples, s -> s.totals().getOrDefault(RunMetrics.ERRORS, 0L)));
        b.append(load.render());
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
            b.append(new SvgChart(describe(d.getKey()) + ": distribution over the run", "percentile", "ms")
                    .series(d.getKey(), x, y).render());
        }
        b.append("<h2>Counters at the end</h2><table>");
        r.totals().forEach((k, v) -> b.append(row(k, Long.toString(v))));
        b.append("</table></body></html>\n");
        return b.toString();
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

    private static String row(String k, String v) {
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
