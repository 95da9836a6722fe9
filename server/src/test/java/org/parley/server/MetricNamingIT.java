package org.parley.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Every metric family the server process exports, serving HTTPS with calls, room media and TURN
 * traffic under way, follows the Prometheus naming conventions an operator's dashboards and alerts rely on:
 * base units (seconds, bytes), never milliseconds or nanoseconds, and {@code _total} on counters
 * and only on counters.
 */
class MetricNamingIT {

    /** Unit words that are not Prometheus base units, as they appear between underscores. */
    private static final Set<String> NON_BASE_UNITS = Set.of("ms", "millis", "milliseconds", "us", "micros",
            "microseconds", "ns", "nanos", "nanoseconds", "minutes", "hours", "days", "kb", "kib", "kilobytes",
            "mb", "mib", "megabytes", "gb", "gib", "percent", "kbps", "mbps", "kbit", "mbit");

    @TempDir
    Path dir;

    @Test
    void everyExportedMetricIsInBaseUnitsAndOnlyCountersEndInTotal() throws Exception {
        ServedHttps https = ServedHttps.in(dir);
        List<String> jvm = new ArrayList<>(ServerProcess.loopbackFreePorts());
        jvm.addAll(OperatorTraffic.settings(https));
        try (ServerProcess server = ServerProcess.start(dir, jvm);
                OperatorTraffic traffic = OperatorTraffic.start(server, dir, https)) {
            URI metrics = URI.create("https://127.0.0.1:" + server.port("http", "tls") + "/metrics");
            HttpClient http = https.client();
            // The relay samples each incoming stream's jitter once per receiver report it sends.
            String body = scrape(http, metrics);
            long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
            while (sample(body, "parley_relay_stream_jitter_seconds_count") < 1 && System.nanoTime() < deadline) {
                Thread.sleep(200);
                body = scrape(http, metrics);
            }
            assertTrue(sample(body, "parley_relay_stream_jitter_seconds_count") >= 1,
                    "jitter of alice's streams sampled:\n" + body);

            Map<String, String> types = types(body);
            assertTrue(types.keySet().containsAll(List.of("parley_signaling_messages_total",
                    "parley_signaling_calls_total", "parley_turn_allocations_total", "parley_relay_packets_in_total",
                    "process_files_open_files", "process_cpu_seconds_total",
                    "parley_http_tls_certificate_expiry_timestamp_seconds")), "traffic made its meters: " + types);
            List<String> wrong = new ArrayList<>();
            types.forEach((name, type) -> {
                List<String> words = Arrays.asList(name.split("_"));
                if (type.equals("counter") != name.endsWith("_total")) {
                    wrong.add(name + " (" + type + "): only counters end in _total");
                }
                words.stream().filter(NON_BASE_UNITS::contains)
                        .forEach(w -> wrong.add(name + ": '" + w + "' is not a base unit"));
                if (words.contains("memory") && !words.contains("bytes")) {
                    wrong.add(name + ": an amount of memory is in bytes");
                }
            });
            assertEquals(List.of(), wrong);
        }
    }

    private static String scrape(HttpClient http, URI metrics) throws Exception {
        HttpResponse<String> r = http.send(HttpRequest.newBuilder(metrics).timeout(Duration.ofSeconds(10)).build(),
                HttpResponse.BodyHandlers.ofString());
        assertEquals(200, r.statusCode());
        return r.body();
    }

    /** Family name to type, from the {@code # TYPE} lines of the text format. */
    private static Map<String, String> types(String body) {
        Map<String, String> types = new LinkedHashMap<>();
        body.lines().filter(l -> l.startsWith("# TYPE ")).map(l -> l.split(" "))
                .forEach(f -> types.put(f[2], f[3]));
        return types;
    }

    /** The sum of a metric's samples, 0 if absent. */
    private static double sample(String body, String name) {
        return body.lines().filter(l -> l.startsWith(name + " ") || l.startsWith(name + "{"))
                .mapToDouble(l -> Double.parseDouble(l.substring(l.lastIndexOf(' ') + 1))).sum();
    }
}
