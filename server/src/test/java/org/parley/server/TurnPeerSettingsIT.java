package org.parley.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Peer address lists given on the command line, as the docs show them, reach the TURN server of
 * the real process: coturn's own client relays to a loopback peer the lists allow and not to one
 * they deny.
 */
class TurnPeerSettingsIT {

    private static final String SECRET = "turn-peer-settings-secret-of-32-chars";
    private static final Duration START = Duration.ofSeconds(30);
    private static final Path UCLIENT = Path.of("/usr/bin/turnutils_uclient");
    private static final Path PEER = Path.of("/usr/bin/turnutils_peer");
    private static final Pattern RECEIVED = Pattern.compile("tot_send_msgs=(\\d+), tot_recv_msgs=(\\d+)");

    @TempDir
    Path dir;

    private ServerProcess start(String... peerSettings) throws Exception {
        List<String> jvm = new ArrayList<>(ServerProcess.loopbackFreePorts());
        jvm.add("-Dparley.auth.secret=" + SECRET);
        jvm.add("-Dparley.turn.allow-loopback-peers=true");
        jvm.addAll(List.of(peerSettings));
        return ServerProcess.start(dir, jvm);
    }

    /** Messages coturn's client got back through the server from an echo peer on {@code peerIp}. */
    private long echoedThrough(ServerProcess server, String peerIp) throws Exception {
        assertTrue(Files.isExecutable(UCLIENT) && Files.isExecutable(PEER),
                "coturn's tools are missing: apt-get install coturn");
        int turnPort = server.port("turn", "udp");
        int peerPort = 20000 + (int) (ProcessHandle.current().pid() % 20000);
        Process peer = new ProcessBuilder(PEER.toString(), "-L", peerIp, "-p", Integer.toString(peerPort))
                .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
        try {
            Path out = dir.resolve("uclient-" + peerIp + ".log");
            Process client = new ProcessBuilder(UCLIENT.toString(), "-c", "-W", SECRET, "-u", "alice",
                    "-e", peerIp, "-r", Integer.toString(peerPort), "-n", "10", "-m", "1", "-l", "100",
                    "-p", Integer.toString(turnPort), "127.0.0.1")
                    .redirectErrorStream(true).redirectOutput(out.toFile()).start();
            if (!client.waitFor(60, TimeUnit.SECONDS)) {
                client.destroyForcibly().waitFor();
            }
            String output = Files.readString(out);
            Matcher m = RECEIVED.matcher(output);
            long received = 0;
            while (m.find()) {
                received = Long.parseLong(m.group(2));
            }
            return received;
        } finally {
            peer.destroy();
            peer.waitFor(5, TimeUnit.SECONDS);
        }
    }

    @Test
    void deniedPeerIpAsIndexedListFromTheCommandLine() throws Exception {
        try (ServerProcess server = start("-Dparley.turn.denied-peer-ip.0=198.51.100.0/24",
                "-Dparley.turn.denied-peer-ip.1=127.0.0.3")) {
            server.awaitLine("up:", START);
            assertFalse(server.output().contains("unknown setting"), server.output());
            assertTrue(server.awaitLine("turn peers:", START)
                    .contains("also denied: denied-peer-ip 198.51.100.0/24, 127.0.0.3"), server.output());
            assertEquals(0, echoedThrough(server, "127.0.0.3"), "a denied peer gets nothing");
            assertTrue(echoedThrough(server, "127.0.0.2") >= 10, "a peer not denied is reached");
        }
    }

    @Test
    void deniedAndAllowedPeerIpAsCommaSeparatedStrings() throws Exception {
        try (ServerProcess server = start("-Dparley.turn.denied-peer-ip=198.51.100.0/24,127.0.0.3",
                "-Dparley.turn.allowed-peer-ip=10.0.0.0/8,192.168.7.0/24")) {
            assertTrue(server.awaitLine("turn peers:", START)
                    .contains("allowed-peer-ip 10.0.0.0/8, 192.168.7.0/24"), server.output());
            server.awaitLine("up:", START);
            assertEquals(0, echoedThrough(server, "127.0.0.3"), "a denied peer gets nothing");
            assertTrue(echoedThrough(server, "127.0.0.2") >= 10, "a peer not denied is reached");
        }
    }
}
