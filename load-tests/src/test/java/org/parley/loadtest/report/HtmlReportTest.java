package org.parley.loadtest.report;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.parley.loadtest.stats.MemberFigures;
import org.parley.loadtest.stats.Percentiles;
import org.parley.loadtest.stats.RunMetrics;
import org.parley.loadtest.stats.Sample;

class HtmlReportTest {

    private static RunResult result() {
        Percentiles p = new Percentiles(10, 1.5, 2.5, 4.25, 5, 6, 2);
        Sample s1 = new Sample(1, 4, Map.of(RunMetrics.PACKETS_RECEIVED, 100.0), Map.of(RunMetrics.ERRORS, 0L),
                100, 0, Map.of(RunMetrics.LATENCY, p), 0.3, 0.2, 500);
        Sample s2 = new Sample(2, 4, Map.of(RunMetrics.PACKETS_RECEIVED, 120.0), Map.of(RunMetrics.ERRORS, 0L),
                120, 1, Map.of(RunMetrics.LATENCY, p, RunMetrics.SETUP, p), 0.4, 0.25, 520);
        return new RunResult("parley-load", "calls", List.of("java", "-jar", "parley-load.jar", "calls", "--note", "<b>"),
                "ws://127.0.0.1:1/ws", "2026-01-01T00:00:00Z", 2, Map.of("rate", 5), Map.of(RunMetrics.LATENCY, p,
                        RunMetrics.SETUP, p), Map.of(RunMetrics.SETUP, List.of(new double[] {50, 1.5},
                                new double[] {99, 4.25})), Map.of("calls.completed", 9L), 220, 1, 0.45, 4, 0.22, 0.25,
                520, Map.of("calls.failed", 0L, "by kind", Map.of("audio", Map.of("streams received", 2))),
                List.of(s1, s2), 0.3,
                List.of(new MemberFigures("lt1-room0-p1", 2, 2, 1000, 3, 0.4, 120)),
                List.of(new ThresholdResult("--max-loss", "media loss", "<= 1 %", "0.3 %", true)));
    }

    @Test
    void selfContainedWithChartsAndTables(@TempDir Path dir) throws Exception {
        ResultWriter.write(result(), dir);
        String html = Files.readString(dir.resolve(ResultWriter.HTML_FILE));
        assertTrue(html.startsWith("<!DOCTYPE html>"));
        assertFalse(html.contains("<script"), "no script needed");
        assertFalse(html.contains("src="), "nothing loaded from elsewhere");
        assertFalse(html.contains("<link"), "no external style sheet");
        assertTrue(html.split("<svg").length - 1 >= 6, "latency, rates, loss, cpu, load and distribution charts");
        assertTrue(html.contains("call set-up (invite to ringing)"));
        assertTrue(html.contains("4.25"), "p99 in the table");
        assertTrue(html.contains("&lt;b&gt;"), "the command line is escaped");
        assertTrue(html.contains("<path"), "lines drawn");
    }

    @Test
    void jsonHoldsSummaryAndSamples(@TempDir Path dir) throws Exception {
        ResultWriter.write(result(), dir);
        JsonNode json = ResultWriter.json().readTree(dir.resolve(ResultWriter.JSON_FILE).toFile());
        assertEquals("calls", json.path("scenario").asText());
        assertEquals(4.25, json.path("latencies").path("setup").path("p99").asDouble());
        assertEquals(2, json.path("samples").size());
        assertEquals(120.0, json.path("samples").get(1).path("rates").path("packets.received").asDouble());
        assertEquals(9, json.path("totals").path("calls.completed").asLong());
    }

    @Test
    void cellsReadAsWordsAndLegendsDoNotOverlap(@TempDir Path dir) throws Exception {
        ResultWriter.write(result(), dir);
        String html = Files.readString(dir.resolve(ResultWriter.HTML_FILE));
        assertFalse(java.util.regex.Pattern.compile("\\bPT\\d").matcher(html).find(), "no ISO-8601 durations: " + html);
        assertTrue(html.contains("<td>2 s</td>"), "the run's duration in human units");
        assertFalse(java.util.regex.Pattern.compile("<td>[^<]*[{}][^<]*</td>").matcher(html).find(), "no map dumps");
        assertTrue(html.contains("<th>streams received</th><td>2</td>"), "a nested map as a nested table");
        assertTrue(html.contains("lt1-room0-p1") && html.contains("2/2"), "the member table");
        assertTrue(html.contains("--max-loss") && html.contains("pass"), "thresholds");
        // Legend entries of one chart: each starts after the previous one's text ends.
        java.util.regex.Matcher m = java.util.regex.Pattern.compile(
                "<text x=\"(\\d+)\" y=\"(\\d+)\" font-size=\"11\">([^<]+)</text>").matcher(
                html.substring(html.indexOf("Packets and messages per second")));
        int end = 0;
        int row = -1;
        for (int i = 0; i < 3 && m.find(); i++) {
            int x = Integer.parseInt(m.group(1));
            int y = Integer.parseInt(m.group(2));
            if (y == row) {
                assertTrue(x > end, "legend '" + m.group(3) + "' starts at " + x + " before " + end);
            }
            row = y;
            end = x + m.group(3).length() * 6;
        }
    }

    @Test
    void aChartOfOnePointIsLeftOut() {
        SvgChart one = new SvgChart("t", "s", "ms").series("a", new double[] {1, 2}, new double[] {5, Double.NaN});
        assertEquals(1, one.points());
        SvgChart two = new SvgChart("t", "s", "ms").series("a", new double[] {1, 2}, new double[] {5, 6});
        assertEquals(2, two.points());
    }

    @Test
    void niceAxisCeilings() {
        assertEquals(1, SvgChart.niceCeiling(0));
        assertEquals(1, SvgChart.niceCeiling(0.9));
        assertEquals(2, SvgChart.niceCeiling(1.2));
        assertEquals(50, SvgChart.niceCeiling(31));
        assertEquals(100, SvgChart.niceCeiling(51));
    }
}
