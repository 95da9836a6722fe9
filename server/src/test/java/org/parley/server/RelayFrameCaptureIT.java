package org.parley.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The relay's capture-frames test hook in the server jar (docs/relay.md): off by default (its
 * path is not found), and when turned on, announced with a WARN at start-up and served as JSON at
 * /api/relay/debug/frames to a client on loopback.
 */
class RelayFrameCaptureIT {

    private static final Duration START = Duration.ofSeconds(30);
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    @TempDir
    Path dir;

    private HttpResponse<String> frames(ServerProcess server) throws Exception {
        URI uri = URI.create("http://127.0.0.1:" + server.port("http", "tcp") + "/api/relay/debug/frames?ssrc=1");
        return http.send(HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(10)).build(),
                HttpResponse.BodyHandlers.ofString());
    }

    @Test
    void theHookIsOffByDefaultAndWhenOnItWarnsAndServesTheCapturedStreams() throws Exception {
        try (ServerProcess plain = ServerProcess.start(Files.createDirectories(dir.resolve("plain")),
                ServerProcess.loopbackFreePorts())) {
            plain.awaitLine("listening http tcp 127.0.0.1:", START);
            assertEquals(404, frames(plain).statusCode(), "no capture unless configured");
        }
        List<String> jvm = new ArrayList<>(ServerProcess.loopbackFreePorts());
        jvm.add("-Dparley.relay.debug.capture-frames=5");
        try (ServerProcess server = ServerProcess.start(Files.createDirectories(dir.resolve("capture")), jvm)) {
            assertTrue(server.awaitLine("parley.relay.debug.capture-frames = 5", START).contains("WARN"));
            server.awaitLine("listening http tcp 127.0.0.1:", START);
            HttpResponse<String> r = frames(server);
            assertEquals(200, r.statusCode(), r.body());
            assertTrue(new ObjectMapper().readTree(r.body()).path("streams").isArray(), r.body());
        }
    }
}
