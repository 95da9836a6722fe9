package org.parley.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * (f) A one-to-one call through the media relay (parley.signaling.calls.media = relay): each
 * browser has a publisher and a subscriber connection with the relay, never a path to the other.
 */
class RelayCallIT {

    @TempDir
    Path dir;

    @Test
    void oneToOneCallThroughTheRelayCarriesVideoAndAudioBothWays() throws Exception {
        try (ParleyServer server = ParleyServer.start(dir, "-Dparley.signaling.calls.media=relay");
                Browser alice = Browser.launch("alice", dir);
                Browser bob = Browser.launch("bob", dir)) {
            alice.open(server.origin(), "device=alice-laptop").signIn(server.token("alice"));
            bob.open(server.origin(), "device=bob-laptop").signIn(server.token("bob"));

            alice.type("callee", "bob");
            alice.click("call-button");
            bob.awaitScreen("incoming");
            bob.click("accept-call");
            alice.awaitScreen("call");

            bob.awaitMediaFlowing("alice's media at bob through the relay");
            alice.awaitMediaFlowing("bob's media at alice through the relay");
            // Two peer connections each, both with the relay.
            assertEquals(2L, alice.script("return window.parleyApp.call.peerConnections().length;"));
            alice.await("call active", () -> "active".equals(alice.attribute("screen-call", "data-state")));

            alice.click("hangup");
            bob.await("hangup shown", () -> "hangup".equals(bob.attribute("notice", "data-reason")));
        }
    }
}
