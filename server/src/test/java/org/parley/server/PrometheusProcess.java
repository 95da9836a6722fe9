package org.parley.server;

import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

/**
 * The real Prometheus (Debian package {@code prometheus}) as a child process with a config of its
 * own: one job {@code parley} scraping a server's HTTPS listener every second, the given rule
 * file evaluated every second, its database in a temporary folder, its API on a free loopback port.
 */
final class PrometheusProcess implements AutoCloseable {

    private static final Path BINARY = Path.of("/usr/bin/prometheus");
    private static final ObjectMapper JSON = new ObjectMapper();

    private final Process process;
    private final Path log;
    private final URI api;
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    private PrometheusProcess(Process process, Path log, URI api) {
        this.process = process;
        this.log = log;
        this.api = api;
    }

    /** Scrapes {@code https://127.0.0.1:PORT/metrics}, trusting the CA in {@code caFile}. */
    static PrometheusProcess scraping(Path dir, int parleyHttpsPort, Path caFile, Path rules) throws Exception {
        assertTrue(Files.isExecutable(BINARY), "Prometheus is missing: apt-get install prometheus");
        String config = """
                global:
                  scrape_interval: 1s
                  evaluation_interval: 1s
                rule_files:
                  - "%s"
                scrape_configs:
                  - job_name: parley
                    scheme: https
                    tls_config:
                      ca_file: "%s"
                    static_configs:
                      - targets: ["127.0.0.1:%d"]
                """.formatted(rules.toAbsolutePath(), caFile.toAbsolutePath(), parleyHttpsPort);
        Path configFile = dir.resolve("prometheus.yml");
        Files.writeString(configFile, config);
        int port = freePort();
        Path log = dir.resolve("prometheus.log");
        Process p = new ProcessBuilder(BINARY.toString(), "--config.file=" + configFile,
                "--storage.tsdb.path=" + dir.resolve("tsdb"), "--web.listen-address=127.0.0.1:" + port)
                .redirectErrorStream(true).redirectOutput(log.toFile()).start();
        PrometheusProcess prometheus = new PrometheusProcess(p, log, URI.create("http://127.0.0.1:" + port));
        try {
            prometheus.awaitReady(Duration.ofSeconds(60));
        } catch (Exception | AssertionError e) {
            prometheus.close();
            throw e;
        }
        return prometheus;
    }

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }

    private void awaitReady(Duration timeout) throws Exception {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < deadline) {
            assertTrue(process.isAlive(), "prometheus exited:\n" + output());
            try {
                if (http.send(HttpRequest.newBuilder(api.resolve("/-/ready")).timeout(Duration.ofSeconds(5)).build(),
                        HttpResponse.BodyHandlers.discarding()).statusCode() == 200) {
                    return;
                }
            } catch (IOException notYet) {
                // not listening yet
            }
            Thread.sleep(100);
        }
        throw new AssertionError("prometheus not ready within " + timeout + ":\n" + output());
    }

    /** GET {@code /api/v1/PATH}; the {@code data} of a successful answer. */
    JsonNode get(String path) throws Exception {
        HttpResponse<String> r = http.send(HttpRequest.newBuilder(api.resolve("/api/v1/" + path))
                .timeout(Duration.ofSeconds(10)).build(), HttpResponse.BodyHandlers.ofString());
        JsonNode body = JSON.readTree(r.body());
        assertTrue(r.statusCode() == 200 && "success".equals(body.path("status").asText()), path + ": " + r.body());
        return body.get("data");
    }

    /** The result of an instant query. */
    JsonNode query(String promql) throws Exception {
        return get("query?query=" + URLEncoder.encode(promql, StandardCharsets.UTF_8)).get("result");
    }

    String output() {
        try {
            return Files.readString(log);
        } catch (IOException e) {
            return "(no log: " + e + ")";
        }
    }

    @Override
    public void close() throws InterruptedException {
        process.destroy();
        if (!process.waitFor(20, TimeUnit.SECONDS)) {
            process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
        }
    }
}
