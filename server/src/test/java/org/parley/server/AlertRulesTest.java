package org.parley.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * deploy/prometheus/parley-alerts.yml through Prometheus's own tool: the rules are valid
 * ({@code promtool check rules}), and each alert fires on the series it is for and stays quiet on
 * a healthy node ({@code promtool test rules} with parley-alerts-test.yml).
 */
class AlertRulesTest {

    private static final Path PROMTOOL = Path.of("/usr/bin/promtool");

    private static String promtool(String... args) throws Exception {
        assertTrue(Files.isExecutable(PROMTOOL), "promtool is missing: apt-get install prometheus");
        Path rules = PrometheusScrapeIT.deploy().resolve("prometheus");
        Path out = Files.createTempFile("promtool", ".log");
        try {
            Process p = new ProcessBuilder(concat(args)).directory(rules.toFile())
                    .redirectErrorStream(true).redirectOutput(out.toFile()).start();
            assertTrue(p.waitFor(60, TimeUnit.SECONDS), "promtool " + String.join(" ", args) + " hangs");
            String output = Files.readString(out);
            assertEquals(0, p.exitValue(), "promtool " + String.join(" ", args) + ":\n" + output);
            return output;
        } finally {
            Files.deleteIfExists(out);
        }
    }

    private static List<String> concat(String... args) {
        List<String> command = new ArrayList<>(List.of(PROMTOOL.toString()));
        command.addAll(List.of(args));
        return command;
    }

    @Test
    void rulesAreValid() throws Exception {
        assertTrue(promtool("check", "rules", "parley-alerts.yml").contains("SUCCESS"));
    }

    @Test
    void alertsFireOnTheirSeriesAndStayQuietOnAHealthyNode() throws Exception {
        assertTrue(promtool("test", "rules", "parley-alerts-test.yml").contains("SUCCESS"));
    }
}
