package org.parley.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * "Try it in a minute": the two sign-in links the server prints at start-up with its embedded
 * defaults, opened in two browsers as a newcomer would, sign in as alice and bob with nothing
 * typed, and alice's call to bob connects with media both ways.
 */
class DemoSignInLinksIT {

    private static final Pattern LINK = Pattern.compile("(?m)^  (alice|bob): (http://\\S+/#token=\\S+)$");

    @TempDir
    Path dir;

    @Test
    void theTwoPrintedLinksSignInAndCallEachOther() throws Exception {
        try (ParleyServer server = ParleyServer.start(dir);
                Browser alice = Browser.launch("alice", dir);
                Browser bob = Browser.launch("bob", dir)) {
            Map<String, String> links = printedLinks(server);
            assertEquals(2, links.size(), server.output());

            alice.openLink(links.get("alice"));
            bob.openLink(links.get("bob"));
            alice.awaitScreen("home");
            bob.awaitScreen("home");
            assertEquals("Alice", alice.text("me-user"));
            assertEquals("Bob", bob.text("me-user"));

            alice.type("callee", "bob");
            alice.click("call-button");
            bob.awaitScreen("incoming");
            assertEquals("Alice", bob.text("incoming-peer"));
            bob.click("accept-call");
            alice.awaitScreen("call");
            bob.awaitScreen("call");
            bob.awaitMediaFlowing("alice's media at bob");
            alice.awaitMediaFlowing("bob's media at alice");
            alice.click("hangup");
            bob.awaitScreen("home");
        }
    }

    /** The links by user, as printed on the server's standard output after it came up. */
    private static Map<String, String> printedLinks(ParleyServer server) throws InterruptedException {
        server.port("http", "tcp");
        long deadline = System.nanoTime() + 30_000_000_000L;
        Map<String, String> links = new LinkedHashMap<>();
        while (links.size() < 2 && System.nanoTime() < deadline) {
            Matcher m = LINK.matcher(server.output());
            while (m.find()) {
                links.put(m.group(1), m.group(2));
            }
            Thread.sleep(50);
        }
        assertTrue(links.values().stream().allMatch(l -> l.startsWith(server.origin() + "/#token=")), links.toString());
        return links;
    }
}
