package org.parley.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * parley.js given several URLs (the nodes of a cluster, docs/cluster.md): in Chromium it connects
 * to the first node that answers, and when its node goes away it reconnects to the next.
 */
class ClientUrlListIT {

    @TempDir
    Path dir;

    @Test
    void theClientSkipsANodeThatDoesNotAnswerAndReconnectsToTheNextWhenItsNodeStops() throws Exception {
        String secret = ParleyServer.newSecret();
        String dead = "ws://127.0.0.1:" + ParleyServer.freeUdpAndTcpPort() + "/ws";
        try (ParleyServer first = ParleyServer.startWithConfig(Files.createDirectories(dir.resolve("first")), secret, "");
                ParleyServer second = ParleyServer.startWithConfig(Files.createDirectories(dir.resolve("second")), secret, "");
                Browser alice = Browser.launch("alice", dir)) {
            String firstUrl = first.origin().replace("http:", "ws:") + "/ws";
            String secondUrl = second.origin().replace("http:", "ws:") + "/ws";
            alice.open(first.origin(), "device=alice-laptop");
            @SuppressWarnings("unchecked")
            Map<String, Object> connected = (Map<String, Object>) alice.async("""
                    const { ParleyClient } = await import('/parley.js');
                    const c = new ParleyClient({ url: args[0], token: args[1], device: 'urls' });
                    window.urlClient = c;
                    window.urlStates = [];
                    c.on('state', (s) => window.urlStates.push(s));
                    const w = await c.connect();
                    return { url: c.url, sessionId: w.sessionId };
                    """, List.of(dead, firstUrl, secondUrl), first.token("alice"));
            assertEquals(firstUrl, connected.get("url"), "the node that did not answer was skipped");

            first.close(); // the node goes away (1001, then its port refuses)
            alice.await("reconnected to the next node", () -> "open".equals(alice.script("return window.urlClient.state;"))
                    && secondUrl.equals(alice.script("return window.urlClient.url;")));
            assertNotEquals(connected.get("sessionId"), alice.script("return window.urlClient.welcome.sessionId;"),
                    "two servers alone share no sessions: a fresh one");
            assertEquals(List.of("connecting", "open", "reconnecting"),
                    ((List<?>) alice.script("return window.urlStates;")).subList(0, 3));
        }
    }
}
