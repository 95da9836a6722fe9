package org.parley.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** (c) The signaling connection drops mid-call; the app resumes the same session and call. */
class ResumeIT {

    @TempDir
    Path dir;

    @Test
    void droppedSignalingResumesTheSessionDeliversMissedEventsAndTheCallGoesOn() throws Exception {
        try (ParleyServer server = ParleyServer.start(dir);
                Browser alice = Browser.launch("alice", dir);
                Browser bob = Browser.launch("bob", dir)) {
            alice.open(server.origin(), "device=alice-laptop").signIn(server.token("alice"));
            bob.open(server.origin(), "device=bob-laptop").signIn(server.token("bob"));
            alice.type("callee", "bob");
            alice.click("call-button");
            bob.awaitScreen("incoming");
            bob.click("accept-call");
            alice.awaitScreen("call");
            alice.awaitMediaFlowing("bob's media at alice");
            String sessionId = (String) alice.script("return window.parleyApp.client.welcome.sessionId;");
            String callId = alice.attribute("screen-call", "data-call-id");

            // Alice's WebSocket goes away for 1.5 s; the banner says so.
            alice.script("window.parleyApp.client.dropConnection({offlineMs: 1500});");
            alice.await("reconnecting banner", () -> alice.visible("reconnecting-banner"));
            // Meanwhile bob mutes: alice is offline, the server keeps the event for her.
            bob.click("toggle-audio");

            alice.await("resumed", () -> "open".equals(alice.body("data-connection")));
            assertTrue(!alice.visible("reconnecting-banner"), "banner gone");
            assertEquals(Boolean.TRUE, alice.script("return window.parleyApp.client.welcome.resumed;"));
            assertEquals(sessionId, alice.script("return window.parleyApp.client.welcome.sessionId;"));
            @SuppressWarnings("unchecked")
            List<String> log = (List<String>) alice.script("return window.parleyApp.connectionLog;");
            assertEquals(List.of("connecting", "open", "reconnecting", "open"), log);
            // The missed event arrived after the resume.
            alice.await("missed call.media delivered", () -> "false".equals(alice.attribute("remote-media", "data-audio")));

            // Same call, still on screen on both sides, media still flowing both ways.
            assertEquals("call", alice.screen());
            assertEquals(callId, alice.attribute("screen-call", "data-call-id"));
            alice.awaitMediaFlowing("bob's media at alice after resume");
            bob.awaitMediaFlowing("alice's media at bob after resume");

            // Signaling works again: hanging up reaches bob.
            alice.click("hangup");
            bob.await("hangup after resume", () -> "hangup".equals(bob.attribute("notice", "data-reason")));
        }
    }
}
