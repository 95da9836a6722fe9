package org.parley.signaling.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Duration;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.parley.signaling.FakeRelay;
import org.parley.signaling.TestServer;
import org.parley.signaling.auth.Role;
import org.parley.signaling.client.SignalingClient;
import org.parley.signaling.client.SignalingException;

/**
 * Who may come into a room, over real WebSockets (docs/protocol.md §6.3): a removal sticks until a
 * moderator lets the user back in, invite links can be revoked, and rooms made by users cannot
 * take the ids that operators' tokens name.
 */
class RoomAdmissionEndToEndTest {

    private final FakeRelay relay = new FakeRelay();
    private TestServer server;

    @AfterEach
    void stop() {
        if (server != null) {
            server.close();
        }
    }

    private TestServer start(String overrides) {
        server = new TestServer(overrides, Optional.of(relay));
        return server;
    }

    private static String code(Runnable r) {
        return assertThrows(SignalingException.class, r::run).code();
    }

    private SignalingClient withRoomToken(String user, String room, Role role) {
        SignalingClient c = server.connect();
        c.hello(server.roomToken(user, room, role), "laptop");
        return c;
    }

    private static void drain(SignalingClient... clients) {
        for (SignalingClient c : clients) {
            while (!c.quietOrTake(Duration.ofMillis(80))) {
                // events of the previous step
            }
        }
    }

    @Test
    void aRemovedUserIsRefusedWithTheSameInviteUntilAModeratorLetsThemBack() {
        start("");
        SignalingClient alice = server.signIn("alice", "laptop");
        String roomId = alice.request("room.create").get("roomId").asText();
        assertTrue(roomId.startsWith("r-"), roomId);
        String aliceId = alice.request("room.join", "roomId", roomId).get("participantId").asText();
        String invite = alice.request("room.invite_link", "roomId", roomId).get("invite").asText();
        SignalingClient bobPhone = server.signIn("bob", "phone");
        SignalingClient bobLaptop = server.signIn("bob", "laptop");
        SignalingClient carol = server.signIn("carol", "laptop");
        String bobPhoneId = bobPhone.request("room.join", "roomId", roomId, "invite", invite)
                .get("participantId").asText();
        bobLaptop.request("room.join", "roomId", roomId, "invite", invite);
        carol.request("room.join", "roomId", roomId, "invite", invite);
        drain(alice, bobPhone, bobLaptop, carol);

        alice.request("room.remove", "roomId", roomId, "participantId", bobPhoneId);
        // the user is out, not just the device that was named
        assertEquals(aliceId, bobPhone.expectEvent("room.removed").get("by").asText());
        assertEquals(aliceId, bobLaptop.expectEvent("room.removed").get("by").asText());
        assertEquals("removed", carol.awaitEvent("room.participant_left").get("reason").asText());
        assertEquals("removed", carol.awaitEvent("room.participant_left").get("reason").asText());

        SignalingException refused = assertThrows(SignalingException.class,
                () -> bobPhone.request("room.join", "roomId", roomId, "invite", invite));
        assertEquals("removed", refused.code());
        assertTrue(refused.getMessage().contains("moderator"), refused.getMessage());
        assertEquals("removed", code(() -> bobLaptop.request("room.join", "roomId", roomId, "invite", invite)));
        String fresh = alice.request("room.invite_link", "roomId", roomId).get("invite").asText();
        assertEquals("removed", code(() -> bobPhone.request("room.join", "roomId", roomId, "invite", fresh)));

        JsonNode removed = alice.request("room.list_removed", "roomId", roomId).get("removed");
        assertEquals(1, removed.size());
        assertEquals("bob", removed.get(0).get("user").asText());
        assertEquals(aliceId, removed.get(0).get("by").asText());
        assertEquals("forbidden", code(() -> carol.request("room.allow", "roomId", roomId, "user", "bob")));
        assertEquals("forbidden", code(() -> carol.request("room.list_removed", "roomId", roomId)));
        assertEquals("removed", code(() -> bobPhone.request("room.join", "roomId", roomId, "invite", invite)),
                "refused attempts and a participant's allow change nothing");

        alice.request("room.allow", "roomId", roomId, "user", "bob");
        assertEquals("wrong_state", code(() -> alice.request("room.allow", "roomId", roomId, "user", "bob")));
        assertEquals(0, alice.request("room.list_removed", "roomId", roomId).get("removed").size());
        assertEquals("participant", bobPhone.request("room.join", "roomId", roomId, "invite", invite)
                .get("role").asText());
    }

    @Test
    void aRemovedModeratorCannotRejoinALockedRoomThroughItsOldMembership() {
        start("");
        SignalingClient alice = server.signIn("alice", "laptop");
        String roomId = alice.request("room.create", "roomId", "r-board").get("roomId").asText();
        alice.request("room.join", "roomId", roomId);
        String invite = alice.request("room.invite_link", "roomId", roomId).get("invite").asText();
        SignalingClient bob = server.signIn("bob", "laptop");
        String bobId = bob.request("room.join", "roomId", roomId, "invite", invite).get("participantId").asText();
        alice.request("room.set_role", "roomId", roomId, "participantId", bobId, "role", "moderator");
        alice.request("room.lock", "roomId", roomId, "locked", true);
        alice.request("room.remove", "roomId", roomId, "participantId", bobId);
        bob.awaitEvent("room.removed");

        assertEquals("removed", code(() -> bob.request("room.join", "roomId", roomId)));
        alice.request("room.allow", "roomId", roomId, "user", "bob");
        // let back in, but the moderator membership is gone: only the invite's role is left
        assertEquals("forbidden", code(() -> bob.request("room.join", "roomId", roomId)));
        assertEquals("room_locked", code(() -> bob.request("room.join", "roomId", roomId, "invite", invite)));
        alice.request("room.lock", "roomId", roomId, "locked", false);
        assertEquals("participant", bob.request("room.join", "roomId", roomId, "invite", invite).get("role").asText());
    }

    @Test
    void aRemovedTokenHolderStaysOutOfTheOperatorsRoom() {
        start("");
        SignalingClient mia = withRoomToken("mia", "town-hall", Role.MODERATOR);
        SignalingClient pat = withRoomToken("pat", "town-hall", Role.PARTICIPANT);
        mia.request("room.join", "roomId", "town-hall");
        String patId = pat.request("room.join", "roomId", "town-hall").get("participantId").asText();
        mia.request("room.remove", "roomId", "town-hall", "participantId", patId);
        pat.awaitEvent("room.removed");
        assertEquals("removed", code(() -> pat.request("room.join", "roomId", "town-hall")));
        mia.request("room.allow", "roomId", "town-hall", "user", "pat");
        assertEquals("participant", pat.request("room.join", "roomId", "town-hall").get("role").asText());
    }

    @Test
    void aRevokedInviteIsRefusedAndTheOthersStillWork() {
        start("");
        SignalingClient alice = server.signIn("alice", "laptop");
        String roomId = alice.request("room.create").get("roomId").asText();
        alice.request("room.join", "roomId", roomId);
        JsonNode first = alice.request("room.invite_link", "roomId", roomId);
        JsonNode second = alice.request("room.invite_link", "roomId", roomId);
        String firstId = first.get("inviteId").asText();
        assertNotEquals(firstId, second.get("inviteId").asText());

        alice.request("room.revoke_invite", "roomId", roomId, "inviteId", firstId);
        SignalingClient bob = server.signIn("bob", "laptop");
        assertEquals("invite_revoked", code(() -> bob.request("room.join", "roomId", roomId,
                "invite", first.get("invite").asText())));
        SignalingClient carol = server.signIn("carol", "laptop");
        carol.request("room.join", "roomId", roomId, "invite", second.get("invite").asText());
        assertEquals("forbidden", code(() -> carol.request("room.revoke_invite", "roomId", roomId,
                "inviteId", second.get("inviteId").asText())));
        assertEquals("invalid_field", code(() -> alice.request("room.revoke_invite", "roomId", roomId,
                "inviteId", "i-none")));
        assertEquals("missing_field", code(() -> alice.request("room.revoke_invite", "roomId", roomId)));
        assertEquals("invite_revoked", code(() -> bob.request("room.join", "roomId", roomId,
                "invite", first.get("invite").asText())));
    }

    @Test
    void anInviteDiesWithItsRoomAndLiveInvitesAreCapped() {
        start("rooms.max-live-invites = 2");
        SignalingClient alice = server.signIn("alice", "laptop");
        alice.request("room.create", "roomId", "r-team");
        alice.request("room.join", "roomId", "r-team");
        String old = alice.request("room.invite_link", "roomId", "r-team").get("invite").asText();
        JsonNode second = alice.request("room.invite_link", "roomId", "r-team");
        assertEquals("wrong_state", code(() -> alice.request("room.invite_link", "roomId", "r-team")));
        alice.request("room.revoke_invite", "roomId", "r-team", "inviteId", second.get("inviteId").asText());
        alice.request("room.invite_link", "roomId", "r-team");

        alice.request("room.leave", "roomId", "r-team");
        alice.request("room.create", "roomId", "r-team");
        alice.request("room.join", "roomId", "r-team");
        SignalingClient bob = server.signIn("bob", "laptop");
        assertEquals("forbidden", code(() -> bob.request("room.join", "roomId", "r-team", "invite", old)),
                "an invite of the ended room does not open the new one");
    }

    @Test
    void aUserCannotOwnAnOperatorNamedRoomByCreatingItFirst() {
        start("");
        SignalingClient mallory = server.signIn("mallory", "laptop");
        SignalingException refused = assertThrows(SignalingException.class,
                () -> mallory.request("room.create", "roomId", "town-hall", "locked", true));
        assertEquals("forbidden", refused.code());
        assertTrue(refused.getMessage().contains("r-"), refused.getMessage());

        SignalingClient mia = withRoomToken("mia", "town-hall", Role.MODERATOR);
        JsonNode joined = mia.request("room.join", "roomId", "town-hall");
        assertEquals("moderator", joined.get("role").asText());
        assertEquals(false, joined.get("locked").asBoolean());
        assertEquals("forbidden", code(() -> mallory.request("room.join", "roomId", "town-hall")));
        assertEquals("forbidden", code(() -> mallory.request("room.create", "roomId", "town-hall")));

        // the other way round: a token cannot name a room that a user made
        assertEquals("r-malls-room", mallory.request("room.create", "roomId", "r-malls-room").get("roomId").asText());
        SignalingClient eve = withRoomToken("eve", "r-malls-room", Role.OWNER);
        assertEquals("forbidden", code(() -> eve.request("room.join", "roomId", "r-malls-room")));
        assertEquals("forbidden", code(() -> eve.request("room.create", "roomId", "elsewhere")));

        // the operator's owner may still create its room with options before anyone joins
        SignalingClient olivia = withRoomToken("olivia", "board", Role.OWNER);
        olivia.request("room.create", "roomId", "board", "locked", true);
        assertEquals("owner", olivia.request("room.join", "roomId", "board").get("role").asText());
        SignalingClient pat = withRoomToken("pat", "board", Role.PARTICIPANT);
        assertEquals("room_locked", code(() -> pat.request("room.join", "roomId", "board")));
    }
}
