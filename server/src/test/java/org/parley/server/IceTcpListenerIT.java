package org.parley.server;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.ConnectException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * What the server logs about its ICE-TCP listener (RFC 6544) is what accepts connections: ice4j's
 * TCP listener refuses loopback addresses, so with {@code parley.relay.bind-address=127.0.0.1}
 * there is no listener, and the log must say so rather than name one.
 */
class IceTcpListenerIT {

    private static final Duration START = Duration.ofSeconds(30);
    /** A private address this test adds to lo of the test JVM's own network namespace. */
    private static final String PRIVATE = "10.254.0.7";

    @TempDir
    Path dir;

    @Test
    void onLoopbackNoIceTcpListenerIsLoggedAndNoneAccepts() throws Exception {
        int tcpPort = freeTcpPort();
        List<String> args = new ArrayList<>(ServerProcess.loopbackFreePorts());
        args.add("-Dparley.relay.tcp-port=" + tcpPort);
        try (ServerProcess server = ServerProcess.start(dir, args)) {
            server.awaitLine(" up: ", START);
            assertFalse(server.output().contains("listening relay tcp"), "no ICE-TCP listener is claimed:\n"
                    + server.output());
            String warning = server.awaitLine("ICE-TCP is unavailable on [127.0.0.1]", START);
            assertTrue(warning.contains("parley.relay.bind-address") && warning.contains("port " + tcpPort), warning);
            assertThrows(ConnectException.class, () -> connect("127.0.0.1", tcpPort),
                    "nothing listens on the ICE-TCP port");
        }
    }

    @Test
    void onAPrivateAddressTheLoggedIceTcpListenerAcceptsConnections() throws Exception {
        ip("addr", "add", PRIVATE + "/32", "dev", "lo");
        try (ServerProcess server = ServerProcess.start(dir, List.of("-Dparley.http.host=127.0.0.1",
                "-Dparley.http.port=0", "-Dparley.relay.bind-address=" + PRIVATE, "-Dparley.relay.udp-port=0",
                "-Dparley.relay.tcp-port=0", "-Dparley.turn.listening-ip=127.0.0.1", "-Dparley.turn.listening-port=0"))) {
            int port = server.port("relay", "tcp");
            assertTrue(server.output().contains("listening relay tcp " + PRIVATE + ":" + port), server.output());
            assertFalse(server.output().contains("ICE-TCP is unavailable"), server.output());
            connect(PRIVATE, port).close();
        } finally {
            ip("addr", "del", PRIVATE + "/32", "dev", "lo");
        }
    }

    private static Socket connect(String host, int port) throws IOException {
        Socket s = new Socket();
        s.connect(new InetSocketAddress(host, port), 5_000);
        return s;
    }

    private static int freeTcpPort() throws IOException {
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getByName("127.0.0.1"))) {
            return s.getLocalPort();
        }
    }

    /** iproute2's ip in this JVM's own network namespace (tools/loopback-netns/bin/java; root there). */
    private static void ip(String... args) throws IOException, InterruptedException {
        List<String> cmd = new ArrayList<>(List.of("ip"));
        cmd.addAll(List.of(args));
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(10, TimeUnit.SECONDS) && p.exitValue() == 0, String.join(" ", cmd) + ": " + out);
    }
}
