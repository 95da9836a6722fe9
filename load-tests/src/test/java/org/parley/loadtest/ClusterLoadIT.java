package org.parley.loadtest;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.parley.cluster.RedisServerProcess;
import org.parley.loadtest.target.PrometheusText;

/**
 * The load tool against a cluster: a real redis-server and three server processes sharing it,
 * every node named with its own {@code --url}. Devices are spread over the nodes, and calls whose
 * caller and callee sit on different nodes all complete.
 */
class ClusterLoadIT {

    @TempDir
    static Path dir;
    static RedisServerProcess redis;
    static final List<ServerUnderTest> nodes = new ArrayList<>();

    @BeforeAll
    static void startCluster() throws Exception {
        redis = RedisServerProcess.start();
        for (String id : List.of("a", "b", "c")) {
            Path home = Files.createDirectories(dir.resolve("node-" + id));
            nodes.add(ServerUnderTest.start(home, "-Dparley.cluster.redis=" + redis.url(),
                    "-Dparley.cluster.node-id=" + id, "-Dparley.turn.enabled=false",
                    "-Dparley.relay.api-secret=cluster-load-test-relay-api-secret"));
        }
    }

    @AfterAll
    static void stopCluster() throws Exception {
        for (ServerUnderTest n : nodes) {
            n.close();
        }
        if (redis != null) {
            redis.close();
        }
    }

    private static List<String> urls() {
        List<String> args = new ArrayList<>();
        for (ServerUnderTest n : nodes) {
            args.addAll(List.of("--url", n.wsUrl()));
        }
        args.addAll(List.of("--secret", ServerUnderTest.SECRET));
        return args;
    }

    @Test
    void connectionsAreSpreadEvenlyOverTheNodes() throws Exception {
        Path out = dir.resolve("connections");
        List<String> args = new ArrayList<>(List.of("connections", "--duration", "6s", "--connections", "30",
                "--connect-rate", "100"));
        args.addAll(urls());
        CompletableFuture<String> run = CompletableFuture.supplyAsync(() -> {
            try {
                return LoadToolProcess.run(0, out, args);
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        });
        // While the tool holds them, each node's own gauge counts its share: ten each.
        List<Double> held = List.of();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (System.nanoTime() < deadline && !run.isDone()) {
            held = connectionsPerNode();
            if (held.equals(List.of(10.0, 10.0, 10.0))) {
                break;
            }
            Thread.sleep(200);
        }
        assertEquals(List.of(10.0, 10.0, 10.0), held, "open connections per node while the run holds 30");
        String output = run.get(ServerUnderTest.timeout().toSeconds(), TimeUnit.SECONDS);
        JsonNode r = LoadToolProcess.result(out);
        assertEquals(0, r.path("totals").path("errors").asLong(), output);
        assertEquals(30, r.path("scenarioSummary").path("connections established").asInt(), output);
        assertEquals(3, r.path("target").asText().split(",").length, "the report names every node: " + r.path("target"));
    }

    @Test
    void callsBetweenDevicesOnDifferentNodesAllComplete() throws Exception {
        Path out = dir.resolve("calls");
        // Caller and callee of a pair join one after the other, so they land on different nodes.
        List<String> args = new ArrayList<>(List.of("calls", "--duration", "6s", "--rate", "3", "--talk", "1s",
                "--pairs", "6"));
        args.addAll(urls());
        String output = LoadToolProcess.run(0, out, args);
        JsonNode r = LoadToolProcess.result(out);
        JsonNode totals = r.path("totals");
        assertEquals(0, totals.path("errors").asLong(), output);
        assertEquals(0, totals.path("calls.failed").asLong(), output);
        long completed = totals.path("calls.completed").asLong();
        assertTrue(completed >= 8, "calls completed across nodes: " + completed + "\n" + output);
        assertTrue(r.path("latencies").path("setup").path("p99").asDouble() > 0, "invite -> ringing measured");
        assertTrue(r.path("serverCpuMax").asDouble() > 0, "CPU of the three nodes read from their /metrics");
    }

    private static List<Double> connectionsPerNode() throws Exception {
        HttpClient http = HttpClient.newHttpClient();
        List<Double> counts = new ArrayList<>();
        for (ServerUnderTest n : nodes) {
            URI metrics = URI.create(n.wsUrl().replace("ws://", "http://").replace("/ws", "/metrics"));
            String body = http.send(HttpRequest.newBuilder(metrics).GET().build(),
                    HttpResponse.BodyHandlers.ofString()).body();
            counts.add(PrometheusText.sum(body, "parley_signaling_connections", null));
        }
        return counts;
    }
}
