package org.parley.signaling.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.parley.signaling.e2e.TestKeys.e2ee;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.parley.signaling.FakeRelay;
import org.parley.signaling.TestServer;
import org.parley.signaling.auth.Role;
import org.parley.signaling.client.SignalingClient;
import org.parley.signaling.client.SignalingException;

/**
 * End-to-end encrypted rooms over real WebSockets (docs/protocol.md §12): who may join, identity
 * keys reaching the others, and {@code e2ee.key} reaching exactly the addressed device.
 */
class E2eeRoomEndToEndTest {

    private static final Duration QUIET = Duration.ofMillis(150);

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

    private double rooms() {
        return server.registry.get("parley.signaling.rooms").gauge().value();
    }

    @Test
    void aRoomCreatedWithE2eeRefusesAJoinWithoutAnIdentityKeyAndAnnouncesTheKeysOfThoseWhoJoin() {
        start("");
        String aliceKey = TestKeys.identityKey();
        String bobKey = TestKeys.identityKey();
        SignalingClient alice = server.signIn("alice", "laptop");
        SignalingClient bob = server.signIn("bob", "laptop");
        alice.request("room.create", "roomId", "r-secret", "e2ee", true);
        JsonNode aj = alice.request("room.join", "roomId", "r-secret", "e2ee", e2ee(aliceKey));
        assertTrue(aj.get("e2ee").asBoolean());
        String aliceId = aj.get("participantId").asText();
        String invite = alice.request("room.invite_link", "roomId", "r-secret").get("invite").asText();

        assertEquals("e2ee_required", code(() -> bob.request("room.join", "roomId", "r-secret", "invite", invite)));
        // malformed keys are refused as such, not taken for "no key"
        assertEquals("invalid_field", code(() -> bob.request("room.join", "roomId", "r-secret", "invite", invite,
                "e2ee", true)));
        assertEquals("missing_field", code(() -> bob.request("room.join", "roomId", "r-secret", "invite", invite,
                "e2ee", Map.of())));
        for (String bad : TestKeys.malformedKeys()) {
            assertEquals("invalid_field", code(() -> bob.request("room.join", "roomId", "r-secret", "invite", invite,
                    "e2ee", e2ee(bad))), bad);
        }
        assertTrue(alice.quiet(QUIET), "refused joins are not announced");
        assertEquals(1, relay.log.stream().filter(l -> l.startsWith("allocate room-r-secret/")).count(),
                relay.log::toString);

        JsonNode bj = bob.request("room.join", "roomId", "r-secret", "invite", invite, "e2ee", e2ee(bobKey));
        assertTrue(bj.get("e2ee").asBoolean());
        assertEquals(aliceId, bj.get("participants").get(0).get("participantId").asText());
        assertEquals(aliceKey, bj.get("participants").get(0).get("identityKey").asText());
        JsonNode joined = alice.expectEvent("room.participant_joined");
        assertEquals(bobKey, joined.get("participant").get("identityKey").asText());
        bob.request("room.media", "roomId", "r-secret", "video", true);
        assertEquals(bobKey, alice.expectEvent("room.participant_updated").get("participant").get("identityKey")
                .asText());
        alice.request("room.lock", "roomId", "r-secret", "locked", true);
        assertTrue(bob.awaitEvent("room.updated").get("e2ee").asBoolean());
    }

    @Test
    void theOperatorCanRequireE2eeForEveryRoom() {
        start("e2ee.require-for-rooms = true");
        SignalingClient carol = server.connect();
        carol.hello(server.roomToken("carol", "board", Role.PARTICIPANT), "laptop");
        assertEquals("e2ee_required", code(() -> carol.request("room.join", "roomId", "board")));
        assertEquals(0.0, rooms(), "a refused join starts no room");
        assertTrue(carol.request("room.join", "roomId", "board", "e2ee", e2ee(TestKeys.identityKey()))
                .get("e2ee").asBoolean());

        SignalingClient alice = server.signIn("alice", "laptop");
        alice.request("room.create", "roomId", "r-plain", "e2ee", false);
        assertEquals("e2ee_required", code(() -> alice.request("room.join", "roomId", "r-plain")));
    }

    @Test
    void aJoinWithAKeyToARoomWithoutE2eeIsFineAndAnnouncesTheKey() {
        start("");
        String aliceKey = TestKeys.identityKey();
        SignalingClient alice = server.signIn("alice", "laptop");
        SignalingClient bob = server.signIn("bob", "laptop");
        alice.request("room.create", "roomId", "r-open");
        JsonNode aj = alice.request("room.join", "roomId", "r-open", "e2ee", e2ee(aliceKey));
        assertFalse(aj.get("e2ee").asBoolean());
        String aliceId = aj.get("participantId").asText();
        String invite = alice.request("room.invite_link", "roomId", "r-open").get("invite").asText();
        JsonNode bj = bob.request("room.join", "roomId", "r-open", "invite", invite);
        assertEquals(aliceKey, bj.get("participants").get(0).get("identityKey").asText());
        JsonNode joined = alice.expectEvent("room.participant_joined");
        assertFalse(joined.get("participant").has("identityKey"), joined::toString);
        String bobId = joined.get("participant").get("participantId").asText();

        // key messages need an identity key at both ends
        assertEquals("wrong_state", code(() -> bob.request("e2ee.key", "roomId", "r-open", "to", aliceId,
                "payload", "x")));
        assertEquals("wrong_state", code(() -> alice.request("e2ee.key", "roomId", "r-open", "to", bobId,
                "payload", "x")));
        assertTrue(bob.quiet(QUIET) && alice.quiet(QUIET));
    }

    @Test
    void aKeyMessageReachesOnlyTheAddressedParticipant() {
        start("");
        SignalingClient alice = server.signIn("alice", "laptop");
        SignalingClient bob = server.signIn("bob", "laptop");
        SignalingClient carol = server.signIn("carol", "laptop");
        SignalingClient dave = server.signIn("dave", "laptop");
        alice.request("room.create", "roomId", "r-three", "e2ee", true);
        String aliceId = alice.request("room.join", "roomId", "r-three", "e2ee", e2ee(TestKeys.identityKey()))
                .get("participantId").asText();
        String invite = alice.request("room.invite_link", "roomId", "r-three").get("invite").asText();
        String bobId = bob.request("room.join", "roomId", "r-three", "invite", invite, "e2ee",
                e2ee(TestKeys.identityKey())).get("participantId").asText();
        String carolId = carol.request("room.join", "roomId", "r-three", "invite", invite, "e2ee",
                e2ee(TestKeys.identityKey())).get("participantId").asText();
        alice.awaitEvent("room.participant_joined");
        alice.awaitEvent("room.participant_joined");
        bob.awaitEvent("room.participant_joined");

        String wrapped = "A".repeat(4096);
        alice.request("e2ee.key", "roomId", "r-three", "to", bobId, "payload", wrapped);
        JsonNode got = bob.expectEvent("e2ee.key");
        assertEquals("r-three", got.get("roomId").asText());
        assertEquals(aliceId, got.get("from").asText());
        assertEquals(wrapped, got.get("payload").asText());
        assertTrue(carol.quiet(QUIET), "a key message for bob reaches nobody else");
        assertTrue(alice.quiet(QUIET));
        carol.request("e2ee.key", "roomId", "r-three", "to", aliceId, "payload", "k2");
        assertEquals(carolId, alice.expectEvent("e2ee.key").get("from").asText());
        assertTrue(bob.quiet(QUIET));

        // refused, and nothing is delivered
        assertEquals("unknown_participant", code(() -> alice.request("e2ee.key", "roomId", "r-three", "to", "s-nobody",
                "payload", "x")));
        assertEquals("invalid_field", code(() -> alice.request("e2ee.key", "roomId", "r-three", "to", aliceId,
                "payload", "x")));
        assertEquals("invalid_field", code(() -> alice.request("e2ee.key", "roomId", "r-three", "to", bobId,
                "payload", "A".repeat(4097))));
        assertEquals("invalid_field", code(() -> alice.request("e2ee.key", "roomId", "r-three", "to", bobId,
                "payload", 42)));
        assertEquals("missing_field", code(() -> alice.request("e2ee.key", "roomId", "r-three", "to", bobId)));
        assertEquals("missing_field", code(() -> alice.request("e2ee.key", "to", bobId, "payload", "x")));
        assertEquals("invalid_field", code(() -> alice.request("e2ee.key", "roomId", "r-three", "callId", "c-1",
                "to", bobId, "payload", "x")));
        assertEquals("unknown_room", code(() -> dave.request("e2ee.key", "roomId", "r-three", "to", bobId,
                "payload", "x")));
        // a participant who left is unknown from then on
        carol.request("room.leave", "roomId", "r-three");
        alice.awaitEvent("room.participant_left");
        assertEquals("unknown_participant", code(() -> alice.request("e2ee.key", "roomId", "r-three", "to", carolId,
                "payload", "x")));
        assertTrue(bob.awaitEvent("room.participant_left") != null && bob.quiet(QUIET));
        assertTrue(carol.quiet(QUIET) && dave.quiet(QUIET));
    }

    @Test
    void aCallUpgradedFromAnE2eeCallMakesAnE2eeRoom() {
        start("calls.media = relay");
        SignalingClient alice = server.signIn("alice", "laptop");
        SignalingClient bob = server.signIn("bob", "laptop");
        SignalingClient carol = server.signIn("carol", "laptop");
        String callId = alice.request("call.invite", "to", "bob", "media", "audio", "e2ee",
                e2ee(TestKeys.identityKey())).get("callId").asText();
        bob.expectEvent("call.incoming");
        bob.request("call.accept", "callId", callId, "e2ee", e2ee(TestKeys.identityKey()));
        String roomId = alice.request("call.add", "callId", callId, "user", "carol").get("roomId").asText();
        assertTrue(carol.expectEvent("room.invitation").get("e2ee").asBoolean());
        assertEquals("e2ee_required", code(() -> carol.request("room.join", "roomId", roomId)));
        assertTrue(carol.request("room.join", "roomId", roomId, "e2ee", e2ee(TestKeys.identityKey()))
                .get("e2ee").asBoolean());
    }
}
