package org.parley.loadtest;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * parley-load.jar, run as an operator runs it, against the real server jar on free loopback
 * ports: a few seconds of each scenario at a small load, then the files it wrote are read back.
 */
class LoadToolIT {

    @TempDir
    static Path dir;
    static ServerUnderTest server;

    @BeforeAll
    static void startServer() throws Exception {
        server = ServerUnderTest.start(dir);
    }

    @AfterAll
    static void stopServer() throws Exception {
        if (server != null) {
            server.close();
        }
    }

    /** Runs the tool against the server to its end; returns its output, failing on a non-zero exit. */
    private static String runTool(Path out, String... args) throws Exception {
        return runTool(0, out, args);
    }

    /** Runs the tool against the server to its end; returns its output, failing unless it exits with {@code exit}. */
    private static String runTool(int exit, Path out, String... args) throws Exception {
        List<String> all = new ArrayList<>(List.of(args));
        all.addAll(List.of("--url", server.wsUrl(), "--secret", ServerUnderTest.SECRET));
        return LoadToolProcess.run(exit, out, all);
    }

    private static JsonNode readResult(Path out) throws IOException {
        return LoadToolProcess.result(out);
    }

    @Test
    void callsScenarioCompletesEveryCallQuickly() throws Exception {
        Path out = dir.resolve("calls");
        String output = runTool(out, "calls", "--duration", "8s", "--rate", "3", "--talk", "1s", "--pairs", "8");
        assertTrue(output.contains("participants"), "progress line printed:\n" + output);
        assertTrue(output.lines().filter(l -> l.startsWith("[")).count() >= 4, "a line each second:\n" + output);
        assertTrue(output.contains("calls/s"), output);
        JsonNode r = readResult(out);
        JsonNode totals = r.path("totals");
        assertEquals(0, totals.path("errors").asLong(), output);
        assertEquals(0, totals.path("calls.failed").asLong(), output);
        assertEquals(0, totals.path("calls.no_free_pair").asLong(), output);
        long completed = totals.path("calls.completed").asLong();
        // Three calls a second for 8 s once the pairs are in, each 1 s long: about 20.
        assertTrue(completed >= 12, "calls completed: " + completed + "\n" + output);
        long cutShort = r.path("scenarioSummary").path("calls cut short by the end").asLong();
        assertTrue(cutShort <= 8, "only the calls in flight at the end (at most one per pair): " + cutShort);
        JsonNode setup = r.path("latencies").path("setup");
        assertTrue(setup.path("count").asLong() >= completed);
        assertTrue(setup.path("p99").asDouble() > 0 && setup.path("p99").asDouble() < 1000,
                "invite to ringing well under a second on loopback: " + setup);
        assertTrue(r.path("latencies").path("answer").path("p99").asDouble() < 1000);
        assertTrue(r.path("serverCpuMax").asDouble() >= 0, "server CPU read from /metrics");
        assertTrue(r.path("samples").size() >= 8);
        assertTrue(output.contains("load in place after"), "the duration counts once every pair is in:\n" + output);
        assertEquals(0, r.path("packetsLost").asLong());
    }

    @Test
    void callsWithMediaAgainstAPeerToPeerServerNameTheSettingToChange() throws Exception {
        // This server runs one-to-one calls peer-to-peer (the default): the tool's simulated
        // devices speak only to the relay, so it must refuse before placing any load.
        Path out = dir.resolve("calls-media-p2p");
        String output = runTool(1, out, "calls", "--media", "audio", "--duration", "5s", "--rate", "1", "--pairs", "2");
        assertTrue(output.contains("parley.signaling.calls.media = relay"), output);
        assertTrue(output.contains("'p2p'"), "says what the server does now: " + output);
    }

    @Test
    void connectionsScenarioHoldsEveryConnection() throws Exception {
        Path out = dir.resolve("connections");
        String output = runTool(out, "connections", "--duration", "4s", "--connections", "40", "--connect-rate", "100");
        JsonNode r = readResult(out);
        assertEquals(0, r.path("totals").path("errors").asLong(), output);
        assertEquals(40, r.path("scenarioSummary").path("connections established").asInt(), output);
        assertEquals(40, r.path("participantsMax").asInt());
        JsonNode join = r.path("latencies").path("join");
        assertEquals(40, join.path("count").asLong());
        assertTrue(join.path("p99").asDouble() < 5000, "join within seconds: " + join);
    }
}
