package org.parley.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.parley.signaling.auth.Identity;
import org.parley.signaling.auth.Role;
import org.parley.signaling.auth.TokenVerifier;

/** The server jar as an operator runs it: start, serve, report, drain on SIGTERM, fail clearly. */
class ServerLifecycleIT {

    private static final Duration START = Duration.ofSeconds(30);
    private static final ObjectMapper JSON = new ObjectMapper();
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    @TempDir
    Path dir;

    private HttpResponse<String> get(int port, String path) throws IOException, InterruptedException {
        return http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
                .timeout(Duration.ofSeconds(10)).build(), HttpResponse.BodyHandlers.ofString());
    }

    @Test
    void startsEveryPartServesHealthAndMetricsAndStopsCleanlyOnSigterm() throws Exception {
        try (ServerProcess server = ServerProcess.start(dir, ServerProcess.loopbackFreePorts())) {
            int port = server.port("http", "tcp");
            // One line per listener, each with its bound address.
            for (String listener : List.of("http tcp", "relay udp", "turn udp", "turn tcp")) {
                assertTrue(server.awaitLine("listening " + listener + " 127.0.0.1:", START).length() > 0);
            }
            // ice4j has no ICE-TCP listener on loopback, and the log says so (IceTcpListenerIT).
            assertTrue(server.awaitLine("ICE-TCP is unavailable on [127.0.0.1]", START).length() > 0);

            HttpResponse<String> health = get(port, "/health");
            assertEquals(200, health.statusCode());
            JsonNode body = JSON.readTree(health.body());
            assertEquals("up", body.get("status").asText());
            for (String part : List.of("signaling", "relay", "turn")) {
                assertEquals("up", body.get("parts").get(part).asText(), part);
            }

            HttpResponse<String> metrics = get(port, "/metrics");
            assertEquals(200, metrics.statusCode());
            assertTrue(metrics.headers().firstValue("content-type").orElse("").startsWith("text/plain"));
            assertTrue(metrics.body().contains("\nparley_part_up{part=\"turn\"} 1.0"), "parley_ meters listed");
            assertTrue(metrics.body().contains("parley_build_info"), "build info listed");
            assertTrue(metrics.body().contains("jvm_memory_used_bytes"), "JVM meters listed");
            assertTrue(metrics.body().contains("netty_"), "Netty meters listed");

            HttpResponse<String> index = get(port, "/");
            assertEquals(200, index.statusCode());
            assertTrue(index.body().contains("Parley"));
            assertEquals(404, get(port, "/no-such-page").statusCode());

            // The secret file was created on first start, owner-only.
            assertTrue(Files.isRegularFile(dir.resolve("parley.secret")));

            assertEquals(0, server.terminate(START), server.output());
            assertTrue(server.output().contains("stop requested: draining"), server.output());
            assertTrue(server.output().contains("parley stopped"), server.output());
        }
    }

    @Test
    void eachPartCanBeTurnedOffForSingleRoleNodes() throws Exception {
        List<String> turnOnly = new ArrayList<>(ServerProcess.loopbackFreePorts());
        turnOnly.add("-Dparley.signaling.enabled=false");
        turnOnly.add("-Dparley.relay.enabled=false");
        try (ServerProcess server = ServerProcess.start(dir, turnOnly)) {
            int port = server.port("http", "tcp");
            JsonNode body = JSON.readTree(get(port, "/health").body());
            assertEquals("disabled", body.get("parts").get("signaling").asText());
            assertEquals("disabled", body.get("parts").get("relay").asText());
            assertEquals("up", body.get("parts").get("turn").asText());
            assertFalse(server.output().contains("listening relay"), server.output());
            assertEquals(0, server.terminate(START));
        }
    }

    @Test
    void portInUseFailsStartUpWithAClearMessage() throws Exception {
        try (ServerSocket taken = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            List<String> args = new ArrayList<>(ServerProcess.loopbackFreePorts());
            args.add("-Dparley.http.port=" + taken.getLocalPort());
            try (ServerProcess server = ServerProcess.start(dir, args)) {
                assertEquals(1, server.exitCode(START), server.output());
                assertTrue(server.output().contains("address already in use"), server.output());
                assertTrue(server.output().contains("parley.http.port"), server.output());
            }
        }
    }

    @Test
    void relayUdpPortInUseNamesTheRelaySetting() throws Exception {
        try (DatagramSocket taken = new DatagramSocket(new InetSocketAddress("127.0.0.1", 0))) {
            List<String> args = new ArrayList<>(ServerProcess.loopbackFreePorts());
            args.add("-Dparley.relay.udp-port=" + taken.getLocalPort());
            try (ServerProcess server = ServerProcess.start(dir, args)) {
                assertEquals(1, server.exitCode(START), server.output());
                assertTrue(server.output().contains("parley.relay.udp-port"), server.output());
            }
        }
    }

    @Test
    void badConfigurationExitsWithOneLineNamingTheKey() throws Exception {
        Path conf = dir.resolve("bad.conf");
        Files.writeString(conf, "parley.http.port = 123456\n");
        try (ServerProcess server = ServerProcess.start(dir, List.of(), "--config", conf.toString())) {
            assertEquals(2, server.exitCode(START), server.output());
            String out = server.output().strip();
            assertFalse(out.contains("\n"), "one line: " + out);
            assertTrue(out.startsWith("parley: configuration error:"), out);
            assertTrue(out.contains("parley.http.port"), out);
        }
        try (ServerProcess server = ServerProcess.start(dir, List.of("-Dparley.turn.listning-port=1"))) {
            assertEquals(2, server.exitCode(START), server.output());
            assertTrue(server.output().contains("parley.turn.listning-port"), server.output());
        }
    }

    @Test
    void tokenSubcommandMintsATokenTheServerAccepts() throws Exception {
        String secret = "an-operator-secret-of-at-least-32-chars";
        List<String> jvm = List.of("-Dparley.auth.secret=" + secret);
        String token;
        try (ServerProcess cmd = ServerProcess.start(dir, jvm, "token", "--user", "alice", "--room", "standup",
                "--role", "moderator", "--ttl", "2h")) {
            assertEquals(0, cmd.exitCode(START), cmd.output());
            token = cmd.output().strip();
        }
        Identity id = new TokenVerifier(secret.getBytes(), Clock.systemUTC()).verify(token);
        assertEquals("alice", id.user());
        assertEquals("standup", id.room().orElseThrow());
        assertEquals(Role.MODERATOR, id.role().orElseThrow());

        try (ServerProcess cmd = ServerProcess.start(dir, jvm, "token", "--user", "bob", "--role", "king")) {
            assertEquals(2, cmd.exitCode(START), cmd.output());
            assertTrue(cmd.output().contains("unknown role 'king'"), cmd.output());
        }
        try (ServerProcess cmd = ServerProcess.start(dir, jvm, "token")) {
            assertEquals(2, cmd.exitCode(START), cmd.output());
            assertTrue(cmd.output().contains("--user"), cmd.output());
        }
    }

    @Test
    void helpAndVersion() throws Exception {
        try (ServerProcess cmd = ServerProcess.start(dir, List.of(), "--version")) {
            assertEquals(0, cmd.exitCode(START));
            assertTrue(cmd.output().matches("parley \\d+\\.\\d+\\.\\d+.*"), cmd.output());
        }
        try (ServerProcess cmd = ServerProcess.start(dir, List.of(), "--help")) {
            assertEquals(0, cmd.exitCode(START));
            assertTrue(cmd.output().contains("Usage: parley-server"), cmd.output());
        }
        try (ServerProcess cmd = ServerProcess.start(dir, List.of(), "--bogus", "1")) {
            assertEquals(2, cmd.exitCode(START));
            assertTrue(cmd.output().contains("takes no option --bogus"), cmd.output());
        }
    }
}
