package org.parley.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.parley.signaling.auth.TokenIssuer;
import org.parley.signaling.client.SignalingClient;

/**
 * The HTTP port's connection bounds through the real server process, with small caps and timeouts
 * configured (the machine's open-file limit is too low to prove them with 20,000 sockets): silent,
 * half-sent and idle connections are closed, WebSockets live by their own keepalive, and the
 * per-address and total caps refuse connections while other sources are still served. Loopback is
 * all of 127/8, so 127.0.0.2 and up stand for other clients.
 */
class HttpConnectionLimitsIT {

    private static final String SECRET = "limits-test-secret-of-at-least-32-chars";
    private static final Duration WAIT = Duration.ofSeconds(30);

    @TempDir
    Path dir;

    private ServerProcess start(String... settings) throws IOException {
        List<String> jvm = new ArrayList<>(ServerProcess.loopbackFreePorts());
        jvm.add("-Dparley.auth.secret=" + SECRET);
        jvm.add("-Dparley.relay.enabled=false");
        jvm.add("-Dparley.turn.enabled=false");
        jvm.addAll(List.of(settings));
        return ServerProcess.start(dir, jvm);
    }

    @Test
    void silentHalfSentAndIdleConnectionsAreClosedWhileLiveOnesStay() throws Exception {
        try (ServerProcess server = start("-Dparley.http.header-timeout=1s", "-Dparley.http.idle-timeout=2s",
                "-Dparley.signaling.ping-interval=1s")) {
            int port = server.port("http", "tcp");

            try (Socket silent = open("127.0.0.1", port); Socket halfSent = open("127.0.0.1", port);
                    Socket idle = open("127.0.0.1", port)) {
                halfSent.getOutputStream().write("GET /health HTTP/1.1\r\nHost: parley\r\n".getBytes(StandardCharsets.US_ASCII));
                assertEquals(200, exchange(idle, "/health", true));
                assertTrue(closedWithin(silent, WAIT), "a connection that sends nothing is closed");
                assertTrue(closedWithin(halfSent, WAIT), "a connection that sends half a request head is closed");
                assertTrue(closedWithin(idle, WAIT), "a kept-alive connection without a next request is closed");
            }

            // A client that keeps asking is never idle: 8 requests 500 ms apart span twice the idle timeout.
            try (Socket busy = open("127.0.0.1", port)) {
                for (int i = 0; i < 8; i++) {
                    assertEquals(200, exchange(busy, "/health", true), "request " + i + " on one kept-alive connection");
                    Thread.sleep(500);
                }
            }

            // A WebSocket is bound by signaling's keepalive (2 x ping-interval without a message: 4005),
            // not by the HTTP idle timeout: one that pings outlives both.
            try (SignalingClient quiet = signIn(port, "alice"); SignalingClient pinging = signIn(port, "bob")) {
                for (int i = 0; i < 10; i++) {
                    pinging.request("ping");
                    Thread.sleep(500);
                }
                assertEquals(4005, quiet.awaitClose().code());
                assertTrue(pinging.request("ping").has("serverTime"), "a pinging WebSocket stays open");
            }

            String metrics = get("127.0.0.2", port, "/metrics");
            assertTrue(counter(metrics, "header_timeout") >= 2, metrics);
            assertTrue(counter(metrics, "idle_timeout") >= 1, metrics);
            assertTrue(server.output().contains("no complete request within parley.http.header-timeout"),
                    server.output());
        }
    }

    @Test
    void capsRefuseConnectionsBeyondThemWhileOtherSourcesAreServed() throws Exception {
        try (ServerProcess server = start("-Dparley.http.max-connections-per-address=3",
                "-Dparley.http.max-connections=6", "-Dparley.http.header-timeout=120s")) {
            int port = server.port("http", "tcp");
            List<Socket> held = new ArrayList<>();
            try {
                for (int i = 0; i < 3; i++) {
                    held.add(admitted("127.0.0.1", port));
                }

                // The fourth from the same address is refused, again and again; another address is served.
                int refusals = 5;
                for (int i = 0; i < refusals; i++) {
                    int status = status("127.0.0.1", port, "/health");
                    assertTrue(status == 503 || status == -1, "refused beyond the per-address cap, got " + status);
                }
                assertEquals(200, status("127.0.0.2", port, "/health"));

                // Three held from 127.0.0.1 and three from 127.0.0.3 make the total cap of six.
                for (int i = 0; i < 3; i++) {
                    held.add(admitted("127.0.0.3", port));
                }
                int status = status("127.0.0.4", port, "/health");
                assertTrue(status == 503 || status == -1, "refused beyond the total cap, got " + status);

                held.remove(0).close();
                awaitStatus("127.0.0.4", port, 200);
            } finally {
                for (Socket s : held) {
                    s.close();
                }
            }
            String metrics = get("127.0.0.2", port, "/metrics");
            assertTrue(counter(metrics, "address_limit") >= 5, metrics);
            assertTrue(counter(metrics, "total_limit") >= 1, metrics);
            long lines = server.output().lines()
                    .filter(l -> l.contains("parley.http.max-connections-per-address = 3 reached")).count();
            assertTrue(lines >= 1 && lines < 5, "the refusals are logged, but not one line each: " + lines);
        }
    }

    /**
     * Behind a reverse proxy every connection comes from the proxy's address: the per-address cap
     * must count the client the proxy names in X-Forwarded-For (only when the operator trusts that
     * proxy), or the whole site would share one address's budget.
     */
    @Test
    void behindATrustedProxyTheCapCountsTheForwardedClient() throws Exception {
        try (ServerProcess server = start("-Dparley.http.max-connections-per-address=2",
                "-Dparley.http.trusted-proxies=127.0.0.9,10.0.0.0/8", "-Dparley.http.header-timeout=120s")) {
            int port = server.port("http", "tcp");
            List<Socket> held = new ArrayList<>();
            try {
                // Two clients' connections through the proxy, two each: four from one proxy address.
                for (String client : List.of("203.0.113.7", "203.0.113.7", "198.51.100.1", "198.51.100.1")) {
                    Socket s = open("127.0.0.9", port);
                    held.add(s);
                    assertEquals(200, exchange(s, "/health", true, "X-Forwarded-For: " + client), "for " + client);
                }
                // The third from 203.0.113.7 is refused; a client the header cannot fake its way past:
                // the entry left of the proxy's own is the client's claim, the rightmost untrusted one counts.
                assertEquals(503, forwarded("127.0.0.9", port, "203.0.113.7"));
                assertEquals(503, forwarded("127.0.0.9", port, "192.0.2.50, 203.0.113.7"));
                assertEquals(200, forwarded("127.0.0.9", port, "203.0.113.7, 192.0.2.50"));
                // A chain of trusted proxies (127.0.0.9 then 10.1.2.3) still reaches the client.
                assertEquals(503, forwarded("127.0.0.9", port, "203.0.113.7, 10.1.2.3"));

                // From an address nobody trusts the header means nothing: 127.0.0.1 is counted as itself.
                for (int i = 0; i < 2; i++) {
                    Socket s = open("127.0.0.1", port);
                    held.add(s);
                    assertEquals(200, exchange(s, "/health", true, "X-Forwarded-For: 198.18.0." + i));
                }
                int spoofed = status("127.0.0.1", port, "/health");
                assertTrue(spoofed == 503 || spoofed == -1, "a spoofed header does not lift the cap, got " + spoofed);
            } finally {
                for (Socket s : held) {
                    s.close();
                }
            }
            assertTrue(server.output().contains("refused an HTTP connection from 203.0.113.7"), server.output());
        }
    }

    /** The status of one GET from {@code localAddress} carrying {@code X-Forwarded-For: forwardedFor}. */
    private static int forwarded(String localAddress, int port, String forwardedFor) throws IOException {
        try (Socket s = open(localAddress, port)) {
            return exchange(s, "/health", false, "X-Forwarded-For: " + forwardedFor);
        }
    }

    private static SignalingClient signIn(int port, String user) {
        String token = new TokenIssuer(SECRET.getBytes(StandardCharsets.UTF_8), Clock.systemUTC())
                .issue(user, Optional.empty(), Optional.empty(), Optional.empty(), Duration.ofMinutes(5));
        SignalingClient c = SignalingClient.connect(URI.create("ws://127.0.0.1:" + port + "/ws"), WAIT).timeout(WAIT);
        c.hello(token, "phone");
        return c;
    }

    /** A TCP connection from {@code localAddress} to the server. */
    private static Socket open(String localAddress, int port) throws IOException {
        Socket s = new Socket();
        s.bind(new InetSocketAddress(InetAddress.getByName(localAddress), 0));
        s.connect(new InetSocketAddress("127.0.0.1", port), 5_000);
        s.setSoTimeout((int) WAIT.toMillis());
        return s;
    }

    /** A kept-alive connection from {@code localAddress} that the server has answered, so it counts. */
    private static Socket admitted(String localAddress, int port) throws IOException {
        Socket s = open(localAddress, port);
        assertEquals(200, exchange(s, "/health", true), "admitted from " + localAddress);
        return s;
    }

    /** True when the server closes (or resets) {@code s} before {@code wait} passes. */
    private static boolean closedWithin(Socket s, Duration wait) throws IOException {
        s.setSoTimeout((int) wait.toMillis());
        try {
            InputStream in = s.getInputStream();
            while (in.read() >= 0) {
                // whatever the server still sends before closing
            }
            return true;
        } catch (SocketTimeoutException e) {
            return false;
        } catch (IOException reset) {
            return true;
        }
    }

    /** One GET on {@code s}; returns the status, with the body read so the connection can go on. */
    private static int exchange(Socket s, String path, boolean keepAlive, String... headers) throws IOException {
        s.getOutputStream().write(("GET " + path + " HTTP/1.1\r\nHost: parley\r\nConnection: "
                + (keepAlive ? "keep-alive" : "close") + "\r\n" + String.join("", java.util.Arrays.stream(headers)
                        .map(h -> h + "\r\n").toList()) + "\r\n").getBytes(StandardCharsets.US_ASCII));
        return readResponse(s.getInputStream(), new ByteArrayOutputStream());
    }

    private static int readResponse(InputStream in, ByteArrayOutputStream body) throws IOException {
        ByteArrayOutputStream head = new ByteArrayOutputStream();
        while (!head.toString(StandardCharsets.US_ASCII).endsWith("\r\n\r\n")) {
            int b = in.read();
            if (b < 0) {
                throw new IOException("closed before a response");
            }
            head.write(b);
        }
        String h = head.toString(StandardCharsets.US_ASCII);
        Matcher length = Pattern.compile("(?i)content-length: *(\\d+)").matcher(h);
        int n = length.find() ? Integer.parseInt(length.group(1)) : 0;
        body.write(in.readNBytes(n));
        return Integer.parseInt(h.substring(9, 12));
    }

    /** The status of a GET from {@code localAddress}, or -1 when the connection ends without one. */
    private static int status(String localAddress, int port, String path) {
        try (Socket s = open(localAddress, port)) {
            return exchange(s, path, false);
        } catch (IOException e) {
            return -1;
        }
    }

    private static String get(String localAddress, int port, String path) throws IOException {
        try (Socket s = open(localAddress, port)) {
            s.getOutputStream().write(("GET " + path + " HTTP/1.1\r\nHost: parley\r\nConnection: close\r\n\r\n")
                    .getBytes(StandardCharsets.US_ASCII));
            ByteArrayOutputStream body = new ByteArrayOutputStream();
            assertEquals(200, readResponse(s.getInputStream(), body));
            return body.toString(StandardCharsets.UTF_8);
        }
    }

    private static double counter(String metrics, String reason) {
        Matcher m = Pattern.compile("(?m)^parley_http_connections_rejected_total\\{reason=\"" + reason + "\"\\} (\\S+)")
                .matcher(metrics);
        return m.find() ? Double.parseDouble(m.group(1)) : 0;
    }

    private static void awaitStatus(String localAddress, int port, int expected) throws InterruptedException {
        long deadline = System.nanoTime() + WAIT.toNanos();
        int last = -1;
        while (System.nanoTime() < deadline) {
            last = status(localAddress, port, "/health");
            if (last == expected) {
                return;
            }
            Thread.sleep(50);
        }
        throw new AssertionError(localAddress + " never got " + expected + ", last " + last);
    }
}
