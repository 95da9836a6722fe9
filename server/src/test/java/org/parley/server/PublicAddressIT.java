package org.parley.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
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
 * A server behind a static NAT, as an operator sets it up: TURN's external-ip (coturn's
 * public/private pair) is what coturn's own client is told in XOR-RELAYED-ADDRESS while relayed
 * sockets bind the private address and carry data; welcome's iceServers name the public address;
 * start-up warnings appear only where the operator must act, never in the embedded defaults.
 * Addresses: 10.0.0.5 is the host's private one, 203.0.113.7 (TEST-NET-3) its public one; each
 * server that needs them runs in a network namespace of its own with a veth pair and no route
 * off the machine. (Relay SDP candidates: media-relay PublicAddressMappingTest.)
 */
class PublicAddressIT {

    private static final String SECRET = "public-address-test-secret-of-32-chars";
    private static final Duration WAIT = Duration.ofSeconds(30);
    private static final String WARN = "level=WARN";
    /** turnutils_uclient -W mints credentials valid for a day; signaling's default TTL is 12 h. */
    private static final String UCLIENT_TTL = "-Dparley.signaling.ice.turn-credential-ttl=24h";

    @TempDir
    Path dir;

    @Test
    void turnTellsThePublicAddressAndRelaysOnThePrivateOne() throws Exception {
        // The "public" address sits on the far end of the veth, where coturn's echo peer listens:
        // a peer on the internet, as far as the TURN server can tell.
        List<String> jvm = List.of("-Dparley.auth.secret=" + SECRET, UCLIENT_TTL, "-Dparley.relay.bind-address=10.0.0.5",
                "-Dparley.relay.advertised-addresses.0=203.0.113.7/10.0.0.5", "-Dparley.turn.relay-ip=10.0.0.5",
                "-Dparley.turn.external-ip=203.0.113.7/10.0.0.5",
                "-Dparley.turn.allowed-peer-ip=203.0.113.0/24");
        try (ServerProcess server = ServerProcess.startInNamespace(dir,
                ServerProcess.vethWith("10.0.0.5/24") + "; ip addr add 203.0.113.7/24 dev v1", jvm)) {
            int port = server.port("turn", "udp");
            CoturnClient.Run run = CoturnClient.echo(dir, server.inNamespace(), "10.0.0.5", port, "203.0.113.7",
                    "-W", SECRET, "-u", "alice");
            assertEquals(0, run.exitCode(), run.output());
            assertTrue(run.output().contains("Received relay addr: 203.0.113.7:"), run.output());
            assertEquals(10, run.received(), "every message relayed through the socket bound on 10.0.0.5:\n"
                    + run.output());
            assertEquals(List.of(), server.linesWith(WARN), "nothing for the operator to do");
        }
    }

    @Test
    void welcomeNamesTheTurnServersPublicAddress() throws Exception {
        List<String> jvm = new ArrayList<>(ServerProcess.loopbackFreePorts());
        jvm.addAll(List.of("-Dparley.auth.secret=" + SECRET, "-Dparley.turn.external-ip=203.0.113.7/127.0.0.1"));
        try (ServerProcess server = ServerProcess.start(dir, jvm)) {
            int turn = server.port("turn", "udp");
            String token = new TokenIssuer(SECRET.getBytes(StandardCharsets.UTF_8), Clock.systemUTC())
                    .issue("alice", Optional.empty(), Optional.empty(), Optional.empty(), Duration.ofMinutes(5));
            URI ws = URI.create("ws://127.0.0.1:" + server.port("http", "tcp") + "/ws");
            try (SignalingClient alice = SignalingClient.connect(ws, WAIT)) {
                JsonNode ice = alice.hello(token, "phone").get("iceServers");
                assertEquals("[\"stun:203.0.113.7:" + turn + "\"]", ice.get(0).get("urls").toString(), ice.toString());
                assertEquals("[\"turn:203.0.113.7:" + turn + "?transport=udp\",\"turn:203.0.113.7:" + turn
                        + "?transport=tcp\"]", ice.get(1).get("urls").toString(), ice.toString());
            }
        }
    }

    @Test
    void theEmbeddedDefaultsWarnOfNothing() throws Exception {
        // on loopback, as the tests and a laptop offline run it
        try (ServerProcess server = ServerProcess.start(dir, ServerProcess.loopbackFreePorts())) {
            server.awaitLine("#token=", WAIT);
            assertEquals(List.of(), server.linesWith(WARN));
        }
        // on a host with one private address, every setting at its default
        try (ServerProcess server = ServerProcess.startInNamespace(dir, ServerProcess.vethWith("10.0.0.5/24"),
                List.of())) {
            server.awaitLine("#token=", WAIT);
            assertEquals(List.of(), server.linesWith(WARN));
        }
    }

    @Test
    void aPublicServerWithAPrivateOnlyRelayIsWarned() throws Exception {
        // TURN announces a public address, the relay (0.0.0.0 on a private-only host) none
        try (ServerProcess server = ServerProcess.startInNamespace(dir, ServerProcess.vethWith("10.0.0.5/24"),
                List.of("-Dparley.turn.relay-ip=10.0.0.5", "-Dparley.turn.external-ip=203.0.113.7/10.0.0.5"))) {
            String warning = server.awaitLine(WARN, WAIT);
            assertTrue(warning.contains("the relay has only private addresses [10.0.0.5] and announces no public one")
                    && warning.contains("set parley.relay.advertised-addresses"), warning);
            server.awaitLine("no demo sign-in links", WAIT);
            assertEquals(1, server.linesWith(WARN).size(), server.output());
        }
    }

    @Test
    void mappingsThatCanNeverApplyAreWarned() throws Exception {
        try (ServerProcess server = ServerProcess.startInNamespace(dir, ServerProcess.vethWith("10.0.0.5/24"),
                List.of("-Dparley.relay.advertised-addresses.0=203.0.113.7/10.9.9.9",
                        "-Dparley.turn.relay-ip=10.0.0.5", "-Dparley.turn.external-ip=203.0.113.7/10.9.9.9"))) {
            server.awaitLine("no demo sign-in links", WAIT);
            List<String> warnings = server.linesWith(WARN);
            assertTrue(warnings.stream().anyMatch(w -> w.contains("parley.relay.advertised-addresses 203.0.113.7/10.9.9.9"
                    + " never applies: the relay listens on [10.0.0.5]")), String.join("\n", warnings));
            assertTrue(warnings.stream().anyMatch(w -> w.contains("parley.turn.external-ip 203.0.113.7/10.9.9.9 never"
                    + " applies: relayed sockets bind [10.0.0.5]")), String.join("\n", warnings));
        }
    }
}
