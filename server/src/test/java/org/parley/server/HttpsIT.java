package org.parley.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.math.BigInteger;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLSocket;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.parley.signaling.auth.TokenIssuer;
import org.parley.signaling.client.SignalingClient;

/**
 * HTTPS and WSS on the web listener of the real server process, with certificates of a CA made
 * for the test: the web app and a signaling session over TLS, the plain-HTTP listener that only
 * redirects, the protocol and cipher policy as a third-party client (openssl s_client) finds it,
 * a renewed certificate served without a restart, and start-up refusing unusable files.
 */
class HttpsIT {

    private static final String SECRET = "https-test-secret-of-at-least-32-chars!";
    private static final Duration WAIT = Duration.ofSeconds(30);

    @TempDir
    Path dir;

    private TestPki pki;

    @BeforeEach
    void makeCa() throws Exception {
        pki = new TestPki();
    }

    private ServerProcess start(Path certificate, Path key, String... settings) throws IOException {
        List<String> jvm = new ArrayList<>(ServerProcess.loopbackFreePorts());
        jvm.add("-Dparley.auth.secret=" + SECRET);
        jvm.add("-Dparley.relay.enabled=false");
        jvm.add("-Dparley.turn.enabled=false");
        jvm.add("-Dparley.http.tls.certificate=" + certificate);
        jvm.add("-Dparley.http.tls.private-key=" + key);
        jvm.addAll(List.of(settings));
        return ServerProcess.start(dir, jvm);
    }

    @Test
    void webAppAndSignalingOverTlsAndPlainHttpOnlyRedirects() throws Exception {
        Path cert = dir.resolve("fullchain.pem");
        Path key = dir.resolve("privkey.pem");
        pki.write(pki.issue(7, false), cert, key, TestPki.KeyFormat.TRADITIONAL); // BEGIN EC PRIVATE KEY
        try (ServerProcess server = start(cert, key, "-Dparley.http.redirect-port=0")) {
            int port = server.port("http", "tls");
            int redirectPort = server.port("http-redirect", "tcp");
            SSLContext tls = pki.clientContext();

            HttpClient https = HttpClient.newBuilder().sslContext(tls).connectTimeout(WAIT).build();
            HttpResponse<String> page = https.send(HttpRequest.newBuilder(
                    URI.create("https://127.0.0.1:" + port + "/")).timeout(WAIT).build(), HttpResponse.BodyHandlers.ofString());
            assertEquals(200, page.statusCode());
            assertTrue(page.body().contains("<html"), page.body());

            try (SSLSocket s = handshake(tls, port, "h2", "http/1.1")) {
                assertEquals("TLSv1.3", s.getSession().getProtocol());
                assertEquals("http/1.1", s.getApplicationProtocol(), "ALPN picks HTTP/1.1 over h2");
                assertEquals(BigInteger.valueOf(7), serial(s));
            }

            try (SignalingClient alice = SignalingClient.connect(https,
                    URI.create("wss://127.0.0.1:" + port + "/ws"), WAIT).timeout(WAIT)) {
                assertTrue(alice.hello(token("alice"), "laptop").hasNonNull("sessionId"));
                assertTrue(alice.request("ping").has("serverTime"));
            }

            // The TLS port does not speak plain HTTP: no response, the connection just ends.
            try (Socket plain = new Socket("127.0.0.1", port)) {
                plain.setSoTimeout((int) WAIT.toMillis());
                plain.getOutputStream().write("GET /health HTTP/1.1\r\nHost: x\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
                assertFalse(readAll(plain.getInputStream()).startsWith("HTTP/"));
            }

            String redirect = plainRequest(redirectPort, "GET /room/abc?invite=x%20y HTTP/1.1\r\nHost: parley.test:"
                    + redirectPort + "\r\nConnection: close\r\n\r\n");
            assertTrue(redirect.startsWith("HTTP/1.1 308 "), redirect);
            assertTrue(redirect.contains("location: https://parley.test:" + port + "/room/abc?invite=x%20y\r\n"),
                    redirect);
            String post = plainRequest(redirectPort, "POST /health HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                    + "Content-Length: 2\r\nConnection: close\r\n\r\n{}");
            assertTrue(post.startsWith("HTTP/1.1 308 "), "nothing is served in the clear, not even /health: " + post);
            assertTrue(post.contains("location: https://127.0.0.1:" + port + "/health\r\n"), post);
            String noHost = plainRequest(redirectPort, "GET / HTTP/1.0\r\n\r\n");
            assertTrue(noHost.startsWith("HTTP/1.1 400 "), noHost);
            assertEquals(0, server.terminate(WAIT), server.output());
        }
    }

    @Test
    void onlyTls13And12WithForwardSecretAeadCiphersAreAccepted() throws Exception {
        Path cert = dir.resolve("cert.pem");
        Path key = dir.resolve("key.pem");
        pki.write(pki.issue(8, true), cert, key, TestPki.KeyFormat.TRADITIONAL); // BEGIN RSA PRIVATE KEY
        Path ca = dir.resolve("ca.pem");
        Files.writeString(ca, pki.caPem());
        try (ServerProcess server = start(cert, key)) {
            int port = server.port("http", "tls");
            // SECLEVEL=0 lets the client offer what OpenSSL 3 itself no longer would: only the server refuses.
            String tls13 = openssl(port, ca, "-tls1_3");
            assertTrue(tls13.contains("New, TLSv1.3, Cipher is TLS_AES_128_GCM_SHA256")
                    && tls13.contains("Verify return code: 0 (ok)"), tls13);
            assertTrue(openssl(port, ca, "-tls1_2", "-cipher", "ECDHE-RSA-AES128-GCM-SHA256").contains(
                    "Cipher is ECDHE-RSA-AES128-GCM-SHA256"));
            assertRefused(openssl(port, ca, "-tls1_1", "-cipher", "DEFAULT:@SECLEVEL=0"), "TLS 1.1");
            assertRefused(openssl(port, ca, "-tls1", "-cipher", "DEFAULT:@SECLEVEL=0"), "TLS 1.0");
            // Static RSA key exchange (no forward secrecy), and CBC with ECDHE (not AEAD): both offered by
            // the JDK's defaults, both refused by the policy.
            assertRefused(openssl(port, ca, "-tls1_2", "-cipher", "AES128-GCM-SHA256:@SECLEVEL=0"), "static RSA");
            assertRefused(openssl(port, ca, "-tls1_2", "-cipher", "ECDHE-RSA-AES128-SHA256:@SECLEVEL=0"), "CBC");
            assertEquals(0, server.terminate(WAIT), server.output());
        }
    }

    @Test
    void renewedCertificateServesNewConnectionsWhileOpenSessionsGoOn() throws Exception {
        // Laid out as Kubernetes mounts a TLS secret: the files are links through "..data", which
        // a renewal points at a new directory in one rename.
        Path mount = dir.resolve("tls");
        Files.createDirectories(mount);
        pki.write(pki.issue(1, false), mount.resolve("..v1/tls.crt"), mount.resolve("..v1/tls.key"),
                TestPki.KeyFormat.PKCS8);
        Files.createSymbolicLink(mount.resolve("..data"), Path.of("..v1"));
        Files.createSymbolicLink(mount.resolve("tls.crt"), Path.of("..data/tls.crt"));
        Files.createSymbolicLink(mount.resolve("tls.key"), Path.of("..data/tls.key"));
        try (ServerProcess server = start(mount.resolve("tls.crt"), mount.resolve("tls.key"),
                "-Dparley.http.tls.reload-interval=1s")) {
            int port = server.port("http", "tls");
            SSLContext tls = pki.clientContext();
            HttpClient https = HttpClient.newBuilder().sslContext(tls).connectTimeout(WAIT).build();
            try (SignalingClient alice = SignalingClient.connect(https,
                    URI.create("wss://127.0.0.1:" + port + "/ws"), WAIT).timeout(WAIT)) {
                alice.hello(token("alice"), "laptop");
                assertEquals(BigInteger.ONE, newConnectionSerial(tls, port));

                // A renewal gone wrong (the key of another certificate) is logged; the old pair stays.
                TestPki.Issued other = pki.issue(99, false);
                pki.write(pki.issue(3, false), mount.resolve("..bad/tls.crt"), mount.resolve("..bad/other.key"),
                        TestPki.KeyFormat.PKCS8);
                pki.write(other, mount.resolve("..bad/other.crt"), mount.resolve("..bad/tls.key"), TestPki.KeyFormat.PKCS8);
                relink(mount, "..bad");
                server.awaitLine("tls certificate not reloaded", WAIT);
                assertTrue(server.output().contains("parley.http.tls.private-key"), server.output());
                assertEquals(BigInteger.ONE, newConnectionSerial(tls, port));

                TestPki.Issued renewed = pki.issue(2, false);
                pki.write(renewed, mount.resolve("..v2/tls.crt"), mount.resolve("..v2/tls.key"), TestPki.KeyFormat.PKCS8);
                relink(mount, "..v2");
                long deadline = System.nanoTime() + WAIT.toNanos();
                BigInteger serial = newConnectionSerial(tls, port);
                while (!serial.equals(BigInteger.TWO) && System.nanoTime() < deadline) {
                    Thread.sleep(100);
                    serial = newConnectionSerial(tls, port);
                }
                assertEquals(BigInteger.TWO, serial, "a new connection gets the renewed certificate");
                assertTrue(alice.request("ping").has("serverTime"), "the session opened before the renewal goes on");
                String metrics = https.send(HttpRequest.newBuilder(URI.create("https://127.0.0.1:" + port + "/metrics"))
                        .timeout(WAIT).build(), HttpResponse.BodyHandlers.ofString()).body();
                long expiry = renewed.certificate().getNotAfter().toInstant().getEpochSecond();
                double exported = metrics.lines()
                        .filter(l -> l.startsWith("parley_http_tls_certificate_expiry_timestamp_seconds "))
                        .mapToDouble(l -> Double.parseDouble(l.substring(l.indexOf(' ') + 1))).findFirst().orElse(-1);
                assertEquals(expiry, exported, 1.0, "the renewed certificate's expiry is exported");
                try (SignalingClient bob = SignalingClient.connect(https,
                        URI.create("wss://127.0.0.1:" + port + "/ws"), WAIT).timeout(WAIT)) {
                    bob.hello(token("bob"), "phone");
                    alice.request("call.invite", "to", "bob", "media", "audio");
                    assertEquals("call.incoming", bob.awaitEvent("call.incoming").path("type").asText());
                }
            }
            assertEquals(0, server.terminate(WAIT), server.output());
        }
    }

    @Test
    void startUpStopsOnAMissingFileOrAKeyOfAnotherCertificate() throws Exception {
        Path cert = dir.resolve("cert.pem");
        Path key = dir.resolve("key.pem");
        TestPki.Issued issued = pki.issue(5, true);
        pki.write(issued, cert, key, TestPki.KeyFormat.PKCS8);
        try (ServerProcess server = start(dir.resolve("missing.pem"), key)) {
            assertEquals(2, server.exitCode(WAIT), server.output());
            assertTrue(server.output().contains("parley.http.tls.certificate"), server.output());
            assertTrue(server.output().contains("missing.pem: no such file"), server.output());
        }
        pki.write(pki.issue(6, true), dir.resolve("other.pem"), key, TestPki.KeyFormat.PKCS8);
        try (ServerProcess server = start(cert, key)) {
            assertEquals(2, server.exitCode(WAIT), server.output());
            assertTrue(server.output().contains("parley.http.tls.private-key"), server.output());
            assertTrue(server.output().contains("does not belong to the certificate"), server.output());
        }
    }

    /** Points the mount's "..data" link at {@code target} in one atomic rename, as kubelet does. */
    private static void relink(Path mount, String target) throws IOException {
        Path next = mount.resolve("..data_tmp");
        Files.deleteIfExists(next);
        Files.createSymbolicLink(next, Path.of(target));
        Files.move(next, mount.resolve("..data"), StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    }

    private static BigInteger newConnectionSerial(SSLContext tls, int port) throws IOException {
        try (SSLSocket s = handshake(tls, port, "http/1.1")) {
            return serial(s);
        }
    }

    private static SSLSocket handshake(SSLContext tls, int port, String... alpn) throws IOException {
        SSLSocket s = (SSLSocket) tls.getSocketFactory().createSocket("127.0.0.1", port);
        s.setSoTimeout((int) WAIT.toMillis());
        SSLParameters p = s.getSSLParameters();
        p.setApplicationProtocols(alpn);
        p.setEndpointIdentificationAlgorithm("HTTPS");
        s.setSSLParameters(p);
        s.startHandshake();
        return s;
    }

    private static BigInteger serial(SSLSocket s) throws IOException {
        return ((X509Certificate) s.getSession().getPeerCertificates()[0]).getSerialNumber();
    }

    private static String token(String user) {
        return new TokenIssuer(SECRET.getBytes(StandardCharsets.UTF_8), Clock.systemUTC())
                .issue(user, Optional.empty(), Optional.empty(), Optional.empty(), Duration.ofMinutes(5));
    }

    private static String plainRequest(int port, String request) throws IOException {
        try (Socket s = new Socket("127.0.0.1", port)) {
            s.setSoTimeout((int) WAIT.toMillis());
            s.getOutputStream().write(request.getBytes(StandardCharsets.US_ASCII));
            return readAll(s.getInputStream());
        }
    }

    private static String readAll(InputStream in) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try {
            in.transferTo(out);
        } catch (IOException reset) {
            // a reset after what was sent still leaves what arrived
        }
        return out.toString(StandardCharsets.ISO_8859_1);
    }

    /** openssl s_client's output for one handshake attempt (stdin closed at once, so it ends). */
    private static String openssl(int port, Path ca, String... options) throws Exception {
        List<String> command = new ArrayList<>(List.of("openssl", "s_client", "-connect", "127.0.0.1:" + port,
                "-servername", "parley.test", "-CAfile", ca.toString()));
        command.addAll(List.of(options));
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        p.getOutputStream().close();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(WAIT.toSeconds(), TimeUnit.SECONDS), "openssl s_client did not end");
        return out;
    }

    private static void assertRefused(String opensslOutput, String what) {
        assertTrue(opensslOutput.contains("CONNECTED"), "the TCP connection itself was made:\n" + opensslOutput);
        assertTrue(opensslOutput.contains("Cipher is (NONE)") && opensslOutput.contains("alert"),
                what + " must be refused with an alert:\n" + opensslOutput);
    }
}
