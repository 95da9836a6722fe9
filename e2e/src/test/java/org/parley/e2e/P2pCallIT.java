package org.parley.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * (a) A one-to-one video call peer-to-peer between two browsers, placed and ended in the app, with
 * a screen share and a mute seen on the other side.
 */
class P2pCallIT {

    @TempDir
    Path dir;

    @Test
    void aliceCallsBobTheySeeAndHearEachOtherMuteShowsAndHangupEndsIt() throws Exception {
        try (ParleyServer server = ParleyServer.start(dir);
                Browser alice = Browser.launch("alice", dir);
                Browser bob = Browser.launch("bob", dir)) {
            alice.open(server.origin(), "device=alice-laptop").signIn(server.token("alice"));
            bob.open(server.origin(), "device=bob-laptop").signIn(server.token("bob"));

            alice.type("callee", "bob");
            alice.click("call-button");
            alice.await("ringing", () -> "ringing".equals(alice.attribute("outgoing-status", "data-status")));

            bob.awaitScreen("incoming");
            assertEquals("Alice", bob.text("incoming-peer"));
            bob.click("accept-call");

            alice.awaitScreen("call");
            bob.awaitScreen("call");
            MediaSample atBob = bob.awaitMediaFlowing("alice's media at bob");
            MediaSample atAlice = alice.awaitMediaFlowing("bob's media at alice");
            // Peer-to-peer: a direct (host) path, neither side through a TURN relay.
            assertNotEquals("relay", atBob.candidateType(), atBob.toString());
            assertNotEquals("relay", atAlice.candidateType(), atAlice.toString());
            // And over loopback only: the test JVM and all it starts see no other interface.
            for (MediaSample s : new MediaSample[] {atBob, atAlice}) {
                assertEquals("127.0.0.1", s.localAddress(), s.toString());
                assertEquals("127.0.0.1", s.remoteAddress(), s.toString());
            }
            alice.await("call active", () -> "active".equals(alice.attribute("screen-call", "data-state")));
            assertEquals("Bob", alice.text("call-peer"));

            // Alice shares her screen: bob sees it large, decoding its own stream of frames.
            alice.click("toggle-screen");
            bob.await("screen share shown", () -> "true".equals(bob.attribute("remote-media", "data-screen"))
                    && bob.visible("remote-screen"));
            bob.awaitScreenShareFlowing("alice's screen at bob");

            // Alice mutes: bob's screen says so (call.media).
            alice.click("toggle-audio");
            bob.await("remote muted shown", () -> "false".equals(bob.attribute("remote-media", "data-audio")));

            alice.click("hangup");
            bob.awaitScreen("home");
            bob.await("end reason shown", () -> "hangup".equals(bob.attribute("notice", "data-reason")));
            assertEquals("hangup", bob.attribute("last-call", "data-reason"));
            alice.awaitScreen("home");
        }
    }
}
