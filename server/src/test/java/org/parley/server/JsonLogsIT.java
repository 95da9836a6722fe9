package org.parley.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.parley.signaling.auth.TokenIssuer;
import org.parley.signaling.client.SignalingClient;

/**
 * PARLEY_LOG_FORMAT=json as an operator's log shipper sees it: every line the server process
 * writes to stdout, from start-up through a sign-in to the drained stop, is one JSON object with
 * its time, level, logger and message, and the MDC entries as fields of their own.
 */
class JsonLogsIT {

    private static final Duration WAIT = Duration.ofSeconds(30);
    private static final String SECRET = "json-logs-test-secret-of-32-characters";
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path dir;

    private static List<String> settings() {
        List<String> jvm = new ArrayList<>(ServerProcess.loopbackFreePorts());
        jvm.add("-Dparley.auth.secret=" + SECRET);
        return jvm;
    }

    @Test
    void everyStdoutLineIsOneJsonObjectWithLevelLoggerMessageAndMdc() throws Exception {
        List<JsonNode> lines = new ArrayList<>();
        try (ServerProcess server = ServerProcess.startApart(dir, Map.of(LogFormat.VARIABLE, "json"), settings())) {
            int port = server.port("http", "tcp");
            String token = new TokenIssuer(SECRET.getBytes(StandardCharsets.UTF_8), Clock.systemUTC())
                    .issue("alice", Optional.empty(), Optional.empty(), Optional.empty(), Duration.ofMinutes(5));
            try (SignalingClient alice = SignalingClient.connect(URI.create("ws://127.0.0.1:" + port + "/ws"), WAIT)) {
                alice.hello(token, "laptop");
            }
            assertEquals(0, server.terminate(WAIT), server.output());
            for (String line : server.stdout()) {
                JsonNode json;
                try {
                    json = JSON.readTree(line);
                } catch (java.io.IOException e) {
                    throw new AssertionError("not JSON: " + line + "\n" + server.output(), e);
                }
                assertTrue(json != null && json.isObject(), "one object a line: " + line);
                for (String field : List.of("ts", "level", "logger", "thread", "message")) {
                    assertTrue(json.path(field).isTextual() && !json.get(field).asText().isEmpty(),
                            field + " in " + line);
                }
                lines.add(json);
            }
        }
        assertTrue(lines.stream().anyMatch(l -> l.get("message").asText().equals("parley stopped")),
                "the whole run is there, to the stop: " + lines);
        // Start-up lines say which part they come from, as an MDC field.
        JsonNode relay = lines.stream().filter(l -> l.get("message").asText().startsWith("listening relay udp"))
                .findFirst().orElseThrow(() -> new AssertionError("no relay listener line: " + lines));
        assertEquals("relay", relay.path("part").asText(), relay.toString());
        assertEquals("INFO", relay.get("level").asText());
        assertEquals(ParleyServer.class.getName(), relay.get("logger").asText());
        JsonNode turn = lines.stream().filter(l -> l.get("message").asText().startsWith("listening turn udp"))
                .findFirst().orElseThrow(() -> new AssertionError("no TURN listener line: " + lines));
        assertEquals("turn", turn.path("part").asText(), turn.toString());
    }

    @Test
    void theTextFormatStaysTheDefault() throws Exception {
        try (ServerProcess server = ServerProcess.startApart(dir, Map.of(), settings())) {
            server.port("http", "tcp");
            String line = server.awaitLine("listening http tcp", WAIT);
            assertTrue(line.startsWith("ts=") && line.contains(" level=INFO ") && line.contains(" msg=\""), line);
            assertEquals(0, server.terminate(WAIT), server.output());
        }
    }

    @Test
    void anUnknownFormatIsRefusedNamingTheVariable() throws Exception {
        try (ServerProcess server = ServerProcess.startApart(dir, Map.of(LogFormat.VARIABLE, "xml"), settings())) {
            assertEquals(Main.EXIT_USAGE, server.exitCode(WAIT), server.output());
            assertTrue(server.output().contains("PARLEY_LOG_FORMAT must be text or json, not 'xml'"), server.output());
        }
    }
}
