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
                520, Map.of("calls.failed", 0L), List.of(s1, s2));
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
    void niceAxisCeilings() {
        assertEquals(1, SvgChart.niceCeiling(0));
        assertEquals(1, SvgChart.niceCeiling(0.9));
        assertEquals(2, SvgChart.niceCeiling(1.2));
        assertEquals(50, SvgChart.niceCeiling(31));
        assertEquals(100, SvgChart.niceCeiling(51));
    }
}
