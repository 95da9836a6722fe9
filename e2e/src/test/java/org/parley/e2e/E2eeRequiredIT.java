package org.parley.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.parley.signaling.auth.Role;

/**
 * A browser without WebRTC Encoded Transform (neither RTCRtpScriptTransform nor insertable
 * streams) cannot encrypt: joining a room that requires end-to-end encryption is refused with
 * e2ee_required, the app says why in a sentence, and the room is unchanged for those inside.
 */
class E2eeRequiredIT {

    @TempDir
    Path dir;

    @Test
    void aBrowserThatCannotEncryptIsToldWhyItCannotJoinASecretRoom() throws Exception {
        try (ParleyServer server = ParleyServer.start(dir, "-Dparley.signaling.e2ee.require-for-rooms=true");
                Browser alice = Browser.launch("alice", dir);
                Browser bob = Browser.launch("bob", dir)) {
            alice.open(server.origin(), "device=alice-laptop&room=standup")
                    .signIn(server.token("alice", "standup", Role.MODERATOR));
            alice.awaitScreen("room");
            E2eePage.awaitLock(alice, "room");

            bob.beforeEachPage(E2eePage.NO_ENCODED_TRANSFORM);
            bob.open(server.origin(), "device=bob-old-browser&room=standup")
                    .signIn(server.token("bob", "standup", Role.PARTICIPANT));
            bob.await("refused with e2ee_required", () -> "e2ee_required".equals(bob.attribute("notice", "data-reason")));
            String said = bob.text("notice");
            assertTrue(said.contains("end-to-end encrypted") && said.contains("Encoded Transform"), said);
            assertEquals("home", bob.screen());
            assertEquals(1, alice.all("#participant-list li").size(), "alice is still alone in the room");
        }
    }
}
