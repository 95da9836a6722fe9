package org.parley.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.netty.handler.ssl.util.SelfSignedCertificate;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.parley.signaling.auth.TokenIssuer;
import org.parley.signaling.client.SignalingClient;

/**
 * The TURN server of the real process as a client meets it: {@code welcome} names the port TURN
 * listens on, {@code turns:} with TLS and no TURN without it; the credentials in {@code welcome}
 * work with coturn's client; credentials valid longer than signaling hands out are refused; peer
 * address lists given on the command line, as the docs show them, take effect.
 */
class EmbeddedTurnIT {

    private static final String SECRET = "embedded-turn-test-secret-of-32-chars";
    private static final Duration WAIT = Duration.ofSeconds(30);
    /** turnutils_uclient -W mints credentials valid for a day; signaling's default TTL is 12 h. */
    private static final String UCLIENT_TTL = "-Dparley.signaling.ice.turn-credential-ttl=24h";

    @TempDir
    Path dir;

    private ServerProcess start(String... settings) throws Exception {
        List<String> jvm = new ArrayList<>(ServerProcess.loopbackFreePorts());
        jvm.add("-Dparley.auth.secret=" + SECRET);
        jvm.add("-Dparley.turn.allow-loopback-peers=true");
        jvm.addAll(List.of(settings));
        return ServerProcess.start(dir, jvm);
    }

    /** The iceServers of a welcome read by a real WebSocket client. */
    private static JsonNode iceServers(ServerProcess server) throws Exception {
        String token = new TokenIssuer(SECRET.getBytes(StandardCharsets.UTF_8), Clock.systemUTC())
                .issue("alice", Optional.empty(), Optional.empty(), Optional.empty(), Duration.ofMinutes(5));
        URI ws = URI.create("ws://127.0.0.1:" + server.port("http", "tcp") + "/ws");
        try (SignalingClient alice = SignalingClient.connect(ws, WAIT)) {
            return alice.hello(token, "phone").get("iceServers");
        }
    }

    private static List<String> urls(JsonNode server) {
        List<String> urls = new ArrayList<>();
        server.get("urls").forEach(u -> urls.add(u.asText()));
        return urls;
    }

    @Test
    void welcomeNamesThePortTurnListensOnAndItsCredentialsWorkThere() throws Exception {
        try (ServerProcess server = start()) {
            int port = server.port("turn", "udp");
            assertNotEquals(3478, port, "the kernel chose the port (listening-port = 0)");
            JsonNode ice = iceServers(server);
            assertEquals(2, ice.size(), ice.toString());
            assertEquals(List.of("stun:127.0.0.1:" + port), urls(ice.get(0)));
            JsonNode turn = ice.get(1);
            assertEquals(List.of("turn:127.0.0.1:" + port + "?transport=udp", "turn:127.0.0.1:" + port + "?transport=tcp"),
                    urls(turn));

            // coturn's client with exactly what welcome gave: relayed through that port.
            CoturnClient.Run run = CoturnClient.echo(dir, port, "127.0.0.1",
                    "-u", turn.get("username").asText(), "-w", turn.get("credential").asText());
            assertTrue(run.received() >= 10, run.output());

            // turnutils_uclient -W mints a credential valid for a day; signaling hands out 12 h.
            CoturnClient.Run tooLong = CoturnClient.echo(dir, port, "127.0.0.1", "-W", SECRET, "-u", "alice");
            assertEquals(0, tooLong.received(), tooLong.output());
            assertTrue(tooLong.output().contains("Cannot complete Allocation"), tooLong.output());
        }
    }

    @Test
    void aLongerSignalingTtlRaisesTheLimitWithIt() throws Exception {
        try (ServerProcess server = start(UCLIENT_TTL)) {
            CoturnClient.Run run = CoturnClient.echo(dir, server.port("turn", "udp"), "127.0.0.1",
                    "-W", SECRET, "-u", "alice");
            assertTrue(run.received() >= 10, run.output());
        }
    }

    @Test
    void withTlsWelcomeAlsoOffersTurns() throws Exception {
        SelfSignedCertificate certificate = new SelfSignedCertificate("turn.parley.test");
        try (ServerProcess server = start("-Dparley.turn.cert=" + certificate.certificate().getPath(),
                "-Dparley.turn.pkey=" + certificate.privateKey().getPath(), "-Dparley.turn.tls-listening-port=0")) {
            int port = server.port("turn", "udp");
            int tls = server.port("turn", "tls");
            JsonNode turn = iceServers(server).get(1);
            assertEquals(List.of("turn:127.0.0.1:" + port + "?transport=udp", "turn:127.0.0.1:" + port + "?transport=tcp",
                    "turns:127.0.0.1:" + tls + "?transport=tcp"), urls(turn));
        } finally {
            certificate.delete();
        }
    }

    @Test
    void withoutTurnWelcomeOffersNoneUnlessAnExternalOneIsConfigured() throws Exception {
        try (ServerProcess server = start("-Dparley.turn.enabled=false")) {
            JsonNode ice = iceServers(server);
            assertEquals(0, ice.size(), ice.toString());
        }
        try (ServerProcess server = start("-Dparley.turn.enabled=false",
                "-Dparley.signaling.ice.turn-urls.0=turn:turn.example.org:3478?transport=udp")) {
            JsonNode ice = iceServers(server);
            assertEquals(1, ice.size(), ice.toString());
            assertEquals(List.of("turn:turn.example.org:3478?transport=udp"), urls(ice.get(0)));
            assertTrue(ice.get(0).get("username").asText().endsWith(":alice"));
        }
    }

    /** Messages coturn's client (with a one-day credential) got back from an echo peer on {@code peerIp}. */
    private long echoedThrough(ServerProcess server, String peerIp) throws Exception {
        return CoturnClient.echo(dir, server.port("turn", "udp"), peerIp, "-W", SECRET, "-u", "alice").received();
    }

    @Test
    void deniedPeerIpAsIndexedListFromTheCommandLine() throws Exception {
        try (ServerProcess server = start(UCLIENT_TTL, "-Dparley.turn.denied-peer-ip.0=198.51.100.0/24",
                "-Dparley.turn.denied-peer-ip.1=127.0.0.3")) {
            server.awaitLine("up:", WAIT);
            assertFalse(server.output().contains("unknown setting"), server.output());
            assertTrue(server.awaitLine("turn peers:", WAIT)
                    .contains("also denied: denied-peer-ip 198.51.100.0/24, 127.0.0.3"), server.output());
            assertEquals(0, echoedThrough(server, "127.0.0.3"), "a denied peer gets nothing");
            assertTrue(echoedThrough(server, "127.0.0.2") >= 10, "a peer not denied is reached");
        }
    }

    @Test
    void deniedAndAllowedPeerIpAsCommaSeparatedStrings() throws Exception {
        try (ServerProcess server = start(UCLIENT_TTL, "-Dparley.turn.denied-peer-ip=198.51.100.0/24,127.0.0.3",
                "-Dparley.turn.allowed-peer-ip=10.0.0.0/8,192.168.7.0/24")) {
            assertTrue(server.awaitLine("turn peers:", WAIT)
                    .contains("allowed-peer-ip 10.0.0.0/8, 192.168.7.0/24"), server.output());
            server.awaitLine("up:", WAIT);
            assertEquals(0, echoedThrough(server, "127.0.0.3"), "a denied peer gets nothing");
            assertTrue(echoedThrough(server, "127.0.0.2") >= 10, "a peer not denied is reached");
        }
    }
}
