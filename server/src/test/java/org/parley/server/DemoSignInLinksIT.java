package org.parley.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.parley.signaling.client.SignalingClient;

/**
 * "Try it in a minute": the server with its embedded defaults on loopback or a private address
 * prints two sign-in links for alice and bob, which sign in; a public server, or one told not to,
 * prints none and says why. (The links calling each other in Chromium: e2e DemoSignInLinksIT.)
 */
class DemoSignInLinksIT {

    private static final Duration WAIT = Duration.ofSeconds(30);
    private static final Pattern LINK = Pattern.compile("^  (alice|bob): (http://[^/]+)/#token=(\\S+)$");
    private static final String NONE = "no demo sign-in links: ";

    @TempDir
    Path dir;

    /** The link lines, read once the server has either printed them or said why not. */
    private static List<Matcher> links(ServerProcess server) throws InterruptedException {
        long deadline = System.nanoTime() + WAIT.toNanos();
        while (System.nanoTime() < deadline) {
            List<Matcher> found = new ArrayList<>();
            for (String line : server.linesWith("#token=")) {
                Matcher m = LINK.matcher(line);
                assertTrue(m.matches(), "a link line as documented: " + line);
                found.add(m);
            }
            if (found.size() == 2 || server.printed(NONE)) {
                return found;
            }
            assertTrue(server.isAlive(), server.output());
            Thread.sleep(50);
        }
        throw new AssertionError("neither links nor a reason within " + WAIT + ":\n" + server.output());
    }

    @Test
    void embeddedDefaultsOnLoopbackPrintTwoLinksThatSignInAsAliceAndBob() throws Exception {
        try (ServerProcess server = ServerProcess.start(dir, ServerProcess.loopbackFreePorts())) {
            int port = server.port("http", "tcp");
            List<Matcher> links = links(server);
            assertEquals(2, links.size(), server.output());
            assertTrue(server.printed("Try it: open these two links in two browser tabs"), server.output());
            for (Matcher link : links) {
                assertEquals("http://127.0.0.1:" + port, link.group(2));
                URI ws = URI.create("ws://127.0.0.1:" + port + "/ws");
                try (SignalingClient client = SignalingClient.connect(ws, WAIT)) {
                    JsonNode welcome = client.hello(link.group(3), "demo-tab");
                    assertEquals(link.group(1), welcome.path("user").asText(), welcome.toString());
                    // minted from the server's own secret (the parley.secret file it created), valid 12 h
                    long expiresIn = welcome.path("tokenExpiresAt").asLong() - System.currentTimeMillis();
                    assertTrue(expiresIn > Duration.ofHours(11).toMillis()
                            && expiresIn <= Duration.ofHours(12).toMillis(), welcome.toString());
                }
            }
            assertFalse(server.printed(NONE), server.output());
        }
    }

    @Test
    void anOperatorWhoSaysFalseGetsNone() throws Exception {
        List<String> jvm = new ArrayList<>(ServerProcess.loopbackFreePorts());
        jvm.add("-Dparley.demo.sign-in-links=false");
        try (ServerProcess server = ServerProcess.start(dir, jvm)) {
            assertEquals(List.of(), links(server));
            assertTrue(server.printed(NONE + "parley.demo.sign-in-links = false"), server.output());
        }
    }

    @Test
    void aServerAnnouncingAPublicAddressPrintsNone() throws Exception {
        List<String> jvm = new ArrayList<>(ServerProcess.loopbackFreePorts());
        // TEST-NET-3 stands in for the public address of a relay behind NAT; nothing is sent to it.
        jvm.add("-Dparley.relay.advertised-addresses.0=203.0.113.7");
        try (ServerProcess server = ServerProcess.start(dir, jvm)) {
            assertEquals(List.of(), links(server));
            assertTrue(server.printed("parley.relay.advertised-addresses announces the public address 203.0.113.7"),
                    server.output());
        }
    }

    @Test
    void theDefaultsOnAHostWithAPublicAddressPrintNone() throws Exception {
        // A host whose interface carries a public address (TEST-NET-2, inside a namespace of the
        // test's own): the default 0.0.0.0 listeners serve it, so the server is public.
        try (ServerProcess server = ServerProcess.startInNamespace(dir, ServerProcess.vethWith("198.51.100.10/24"),
                List.of())) {
            assertEquals(List.of(), links(server));
            assertTrue(server.printed("parley.http.host 0.0.0.0 listens on this host's public address 198.51.100.10"),
                    server.output());
        }
    }

    @Test
    void theDefaultsOnAHostWithOnlyAPrivateAddressPrintTheLinks() throws Exception {
        try (ServerProcess server = ServerProcess.startInNamespace(dir, ServerProcess.vethWith("10.0.0.5/24"),
                List.of())) {
            List<Matcher> links = links(server);
            assertEquals(List.of("alice", "bob"), links.stream().map(m -> m.group(1)).toList(), server.output());
            // 127.0.0.1, not 10.0.0.5: browsers allow the camera on plain http only for localhost
            assertEquals("http://127.0.0.1:8080", links.get(0).group(2));
        }
    }
}
