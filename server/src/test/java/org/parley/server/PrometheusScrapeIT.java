package org.parley.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The operator's monitoring as shipped, against the real thing: a real Prometheus scrapes the
 * server process (over HTTPS, as a production server serves) every second while a call, room
 * media through the relay and a TURN allocation run, with deploy/prometheus/parley-alerts.yml
 * loaded. Every metric the Grafana dashboard
 * (deploy/grafana/parley.json) and the alert rules select is then in Prometheus's data, and every
 * rule loads and evaluates without error. The names come from parsing the expressions, so a panel
 * or rule added later is checked too.
 */
class PrometheusScrapeIT {

    private static final Duration WAIT = Duration.ofSeconds(90);
    private static final Pattern ALERT_LINE = Pattern.compile("(?m)^\\s*- alert:\\s*(\\S+)\\s*$");
    private static final Pattern LABEL_VALUES = Pattern.compile("label_values\\(\\s*([^,)]+)");

    @TempDir
    Path dir;

    static Path deploy() {
        return Path.of(System.getProperty("parley.deploy.dir", "../deploy"));
    }

    @Test
    void everyMetricOfTheDashboardAndTheAlertRulesIsScrapedAndEveryRuleEvaluates() throws Exception {
        Path rules = deploy().resolve("prometheus/parley-alerts.yml");
        Set<String> alertsInFile = new TreeSet<>();
        Matcher alert = ALERT_LINE.matcher(Files.readString(rules));
        while (alert.find()) {
            alertsInFile.add(alert.group(1));
        }
        Map<String, Set<String>> wanted = new TreeMap<>(dashboardMetrics(deploy().resolve("grafana/parley.json")));
        assertTrue(wanted.size() > 20, "the dashboard's panels select metrics: " + wanted);

        ServedHttps https = ServedHttps.in(dir);
        List<String> jvm = new ArrayList<>(ServerProcess.loopbackFreePorts());
        jvm.addAll(OperatorTraffic.settings(https));
        try (ServerProcess server = ServerProcess.start(dir, jvm);
                PrometheusProcess prometheus = PrometheusProcess.scraping(dir, server.port("http", "tls"),
                        https.caFile(), rules);
                OperatorTraffic traffic = OperatorTraffic.start(server, dir, https)) {
            // The rules Prometheus loaded, as it parsed them: every alert of the file, each evaluated
            // at least once (health turns from "unknown") and without error.
            JsonNode loaded = awaitRulesEvaluated(prometheus);
            Set<String> alertsLoaded = new TreeSet<>();
            for (JsonNode group : loaded.get("groups")) {
                for (JsonNode rule : group.get("rules")) {
                    alertsLoaded.add(rule.get("name").asText());
                    assertEquals("ok", rule.get("health").asText(), rule.toString());
                    assertEquals("", rule.path("lastError").asText(""), rule.toString());
                    for (String name : PromQlMetricNames.of(rule.get("query").asText())) {
                        wanted.computeIfAbsent(name, n -> new TreeSet<>()).add("alert " + rule.get("name").asText());
                    }
                }
            }
            assertFalse(alertsInFile.isEmpty());
            assertEquals(alertsInFile, alertsLoaded);

            Set<String> missing = awaitMetricNames(prometheus, wanted.keySet());
            Map<String, Set<String>> missingWhere = new TreeMap<>(wanted);
            missingWhere.keySet().retainAll(missing);
            assertEquals(Map.of(), missingWhere, "metrics the dashboard or alerts use that Prometheus never scraped");

            // What the relay panels show moved: alice's media reached Prometheus.
            JsonNode media = prometheus.query("sum(parley_relay_packets_in_total{job=\"parley\",kind=\"audio\"}) > 0");
            assertEquals(1, media.size(), "relay audio packets in Prometheus: " + media);
            JsonNode up = prometheus.query("up{job=\"parley\"} == 1");
            assertEquals(1, up.size(), "the server is scraped: " + up);
        }
    }

    /** Metric names by the panel titles that use them, from every expression and variable query. */
    private static Map<String, Set<String>> dashboardMetrics(Path dashboard) throws Exception {
        Map<String, Set<String>> names = new TreeMap<>();
        collect(new ObjectMapper().readTree(dashboard.toFile()), "dashboard", names);
        return names;
    }

    private static void collect(JsonNode node, String where, Map<String, Set<String>> names) {
        if (node.isObject()) {
            String here = node.has("title") ? "panel '" + node.get("title").asText() + "'"
                    : node.has("name") ? "variable '" + node.get("name").asText() + "'" : where;
            if (node.path("expr").isTextual()) {
                add(PromQlMetricNames.of(node.get("expr").asText()), here, names);
            }
            if (node.path("query").isTextual()) {
                Matcher m = LABEL_VALUES.matcher(node.get("query").asText());
                if (m.find()) {
                    add(PromQlMetricNames.of(m.group(1)), here, names);
                }
            }
            node.fields().forEachRemaining(f -> collect(f.getValue(), here, names));
        } else if (node.isArray()) {
            node.forEach(n -> collect(n, where, names));
        }
    }

    private static void add(Set<String> found, String where, Map<String, Set<String>> names) {
        found.forEach(n -> names.computeIfAbsent(n, k -> new TreeSet<>()).add(where));
    }

    private static JsonNode awaitRulesEvaluated(PrometheusProcess prometheus) throws Exception {
        long deadline = System.nanoTime() + WAIT.toNanos();
        while (true) {
            JsonNode rules = prometheus.get("rules");
            boolean evaluated = rules.get("groups").size() > 0;
            for (JsonNode group : rules.get("groups")) {
                for (JsonNode rule : group.get("rules")) {
                    evaluated &= !"unknown".equals(rule.path("health").asText());
                }
            }
            if (evaluated || System.nanoTime() > deadline) {
                return rules;
            }
            Thread.sleep(200);
        }
    }

    /** Waits until Prometheus has every name; returns those it still lacks at the deadline. */
    private static Set<String> awaitMetricNames(PrometheusProcess prometheus, Set<String> names) throws Exception {
        long deadline = System.nanoTime() + WAIT.toNanos();
        Set<String> missing = new TreeSet<>(names);
        while (true) {
            prometheus.get("label/__name__/values").forEach(n -> missing.remove(n.asText()));
            if (missing.isEmpty() || System.nanoTime() > deadline) {
                return missing;
            }
            Thread.sleep(500);
        }
    }
}
