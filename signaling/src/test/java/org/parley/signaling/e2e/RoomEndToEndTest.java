package org.parley.signaling.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Duration;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.parley.relay.control.PeerConnectionRole;
import org.parley.signaling.FakeRelay;
import org.parley.signaling.TestServer;
import org.parley.signaling.auth.Role;
import org.parley.signaling.client.SignalingClient;
import org.parley.signaling.client.SignalingException;

/**
 * Conferences and relay-mode calls over real WebSockets (docs/protocol.md §5.4-5.6, §6), with a
 * recording relay in place of the media relay: what is checked here is what signaling asks of the
 * relay and tells clients.
 */
class RoomEndToEndTest {

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

    @Test
    void aRoomNobodyJoinsEndsAfterTheEmptyTimeoutButAJoinedOneStays() {
        start("rooms.empty-timeout = 2m");
        SignalingClient alice = server.signIn("alice", "laptop");
        alice.request("room.create", "roomId", "r-abandoned");
        alice.request("room.create", "roomId", "r-used");
        server.advance(Duration.ofSeconds(119));
        alice.request("room.join", "roomId", "r-used");
        assertEquals(2.0, server.registry.get("parley.signaling.rooms").gauge().value());
        server.advance(Duration.ofSeconds(1));
        assertEquals(1.0, server.registry.get("parley.signaling.rooms").gauge().value());
        assertEquals("unknown_room", code(() -> alice.request("room.join", "roomId", "r-abandoned")));
        // the id is free again, and the room that was joined in time is still there
        alice.request("room.create", "roomId", "r-abandoned");
        server.advance(Duration.ofMinutes(10));
        assertEquals("wrong_state", code(() -> alice.request("room.join", "roomId", "r-used")));
        assertTrue(relay.log.stream().noneMatch(l -> l.contains("r-abandoned")), "no relay work for an unjoined room");
    }

    @Test
    void createJoinByInviteFerrySdpAndLeave() {
        start("");
        SignalingClient alice = server.signIn("alice", "laptop");
        SignalingClient bob = server.signIn("bob", "laptop");
        assertEquals("r-standup", alice.request("room.create", "roomId", "r-standup", "maxParticipants", 3)
                .get("roomId").asText());
        assertEquals("room_exists", code(() -> bob.request("room.create", "roomId", "r-standup")));
        JsonNode aj = alice.request("room.join", "roomId", "r-standup");
        assertEquals("owner", aj.get("role").asText());
        assertEquals(0, aj.get("participants").size());
        String aliceId = aj.get("participantId").asText();

        assertEquals("forbidden", code(() -> bob.request("room.join", "roomId", "r-standup")));
        assertEquals("forbidden", code(() -> bob.request("room.join", "roomId", "r-standup", "invite", "forged")));
        String invite = alice.request("room.invite_link", "roomId", "r-standup").get("invite").asText();
        JsonNode bj = bob.request("room.join", "roomId", "r-standup", "invite", invite);
        assertEquals("participant", bj.get("role").asText());
        assertEquals(aliceId, bj.get("participants").get(0).get("participantId").asText());
        String bobId = bj.get("participantId").asText();
        JsonNode joined = alice.expectEvent("room.participant_joined");
        assertEquals("bob", joined.get("participant").get("user").asText());
        assertTrue(relay.log.contains("allocate room-r-standup/" + bobId));

        // publisher: client offers, relay answers; subscriber: relay offers, client answers
        JsonNode answer = bob.request("relay.offer", "roomId", "r-standup", "sdp", "pub-offer");
        assertEquals("answer:pub-offer", answer.get("sdp").asText());
        assertEquals("bad_sdp", code(() -> bob.request("relay.offer", "roomId", "r-standup", "sdp", "bad")));
        relay.listener("room-r-standup", bobId).onSubscriberOffer("sub-offer");
        JsonNode subOffer = bob.expectEvent("relay.offer");
        assertEquals("r-standup", subOffer.get("roomId").asText());
        assertEquals("sub-offer", subOffer.get("sdp").asText());
        bob.request("relay.answer", "roomId", "r-standup", "sdp", "sub-answer");
        assertTrue(relay.log.contains("answer room-r-standup/" + bobId + " sub-answer"));
        bob.request("relay.candidate", "roomId", "r-standup", "connection", "publisher", "candidate", "candidate:9");
        assertTrue(relay.log.contains("candidate room-r-standup/" + bobId + " PUBLISHER candidate:9"));
        relay.listener("room-r-standup", bobId).onLocalCandidate(PeerConnectionRole.SUBSCRIBER, "candidate:relay");
        JsonNode rc = bob.expectEvent("relay.candidate");
        assertEquals("subscriber", rc.get("connection").asText());
        assertEquals("candidate:relay", rc.get("candidate").asText());
        assertEquals("unknown_room", code(() -> bob.request("relay.offer", "roomId", "other", "sdp", "x")));
        assertEquals("missing_field", code(() -> bob.request("relay.offer", "sdp", "x")));

        relay.listener("room-r-standup", aliceId).onActiveSpeaker(bobId);
        assertEquals(bobId, alice.expectEvent("room.active_speaker").get("participantId").asText());
        bob.request("room.media", "roomId", "r-standup", "screen", true);
        JsonNode upd = alice.expectEvent("room.participant_updated");
        assertTrue(upd.get("participant").get("screen").asBoolean());
        bob.expectEvent("room.participant_updated");
        assertEquals(1, server.signaling.liveCalls());

        bob.request("room.leave", "roomId", "r-standup");
        JsonNode left = alice.expectEvent("room.participant_left");
        assertEquals(bobId, left.get("participantId").asText());
        assertEquals("left", left.get("reason").asText());
        assertTrue(relay.logged("release room-r-standup/" + bobId), relay.log::toString);
        alice.request("room.leave", "roomId", "r-standup");
        assertTrue(relay.logged("expire room-r-standup"), relay.log::toString);
        assertEquals(0, server.signaling.liveCalls());
    }

    @Test
    void moderatorsMuteRemoveLockAndChangeRoles() {
        start("");
        SignalingClient mod = server.connect();
        mod.hello(server.roomToken("mia", "town-hall", Role.MODERATOR), "laptop");
        SignalingClient p1 = server.connect();
        p1.hello(server.roomToken("pat", "town-hall", Role.PARTICIPANT), "laptop");
        SignalingClient p2 = server.connect();
        p2.hello(server.roomToken("quinn", "town-hall", Role.PARTICIPANT), "laptop");
        SignalingClient listener = server.connect();
        listener.hello(server.roomToken("lee", "town-hall", Role.LISTENER), "laptop");

        assertEquals("moderator", mod.request("room.join", "roomId", "town-hall").get("role").asText());
        String patId = p1.request("room.join", "roomId", "town-hall").get("participantId").asText();
        String quinnId = p2.request("room.join", "roomId", "town-hall").get("participantId").asText();
        assertEquals("listener", listener.request("room.join", "roomId", "town-hall").get("role").asText());
        assertEquals("forbidden", code(() -> listener.request("relay.offer", "roomId", "town-hall", "sdp", "x")));
        assertEquals("forbidden", code(() -> listener.request("room.media", "roomId", "town-hall", "audio", true)));
        assertEquals("forbidden", code(() -> p1.request("room.mute", "roomId", "town-hall", "participantId", quinnId,
                "kind", "audio")));
        drain(mod, p1, p2, listener);

        mod.request("room.mute", "roomId", "town-hall", "participantId", patId, "kind", "audio");
        assertTrue(relay.logged("mute room-town-hall/" + patId + " AUDIO"), relay.log::toString);
        JsonNode muted = p1.expectEvent("room.muted");
        assertEquals("audio", muted.get("kind").asText());
        JsonNode upd = p2.expectEvent("room.participant_updated");
        assertTrue(upd.get("participant").get("audioMuted").asBoolean());
        drain(mod, p1, p2, listener);

        mod.request("room.mute", "roomId", "town-hall", "all", true, "kind", "video");
        assertTrue(relay.logged("mute room-town-hall/" + quinnId + " VIDEO"), relay.log::toString);
        assertEquals("video", p2.awaitEvent("room.muted").get("kind").asText());
        drain(mod, p1, p2, listener);

        mod.request("room.lock", "roomId", "town-hall", "locked", true);
        assertTrue(p1.expectEvent("room.updated").get("locked").asBoolean());
        SignalingClient late = server.connect();
        late.hello(server.roomToken("ray", "town-hall", Role.PARTICIPANT), "laptop");
        assertEquals("room_locked", code(() -> late.request("room.join", "roomId", "town-hall")));
        drain(mod, p1, p2, listener);

        assertEquals("forbidden", code(() -> mod.request("room.set_role", "roomId", "town-hall", "participantId",
                patId, "role", "owner")));
        mod.request("room.set_role", "roomId", "town-hall", "participantId", patId, "role", "moderator");
        assertEquals("moderator", p2.expectEvent("room.participant_updated").get("participant").get("role").asText());
        drain(mod, p1, p2, listener);
        p1.request("room.remove", "roomId", "town-hall", "participantId", quinnId);
        assertEquals("room.removed", p2.expectEvent("room.removed").get("type").asText());
        JsonNode left = mod.expectEvent("room.participant_left");
        assertEquals("removed", left.get("reason").asText());
        assertEquals("unknown_room", code(() -> p2.request("room.media", "roomId", "town-hall", "audio", false)));
        assertEquals("unknown_participant", code(() -> mod.request("room.remove", "roomId", "town-hall",
                "participantId", "nobody")));
    }

    private static void drain(SignalingClient... clients) {
        for (SignalingClient c : clients) {
            while (!c.quietOrTake(Duration.ofMillis(80))) {
                // discard events of the previous step
            }
        }
    }

    @Test
    void fullRoomRefusesJoins() {
        start("");
        SignalingClient a = server.signIn("a", "d");
        a.request("room.create", "roomId", "r-tiny", "maxParticipants", 2);
        a.request("room.join", "roomId", "r-tiny");
        String invite = a.request("room.invite_link", "roomId", "r-tiny", "ttlSeconds", 120).get("invite").asText();
        server.signIn("b", "d").request("room.join", "roomId", "r-tiny", "invite", invite);
        assertEquals("room_full", code(() -> server.signIn("c", "d").request("room.join", "roomId", "r-tiny",
                "invite", invite)));
        server.advance(Duration.ofSeconds(121));
        a.request("room.leave", "roomId", "r-tiny");
        SignalingClient d = server.signIn("d", "d");
        assertEquals("forbidden", code(() -> d.request("room.join", "roomId", "r-tiny", "invite", invite)),
                "the invite expired");
    }

    @Test
    void oneToOneCallUpgradesToAConference() {
        start("");
        SignalingClient alice = server.signIn("alice", "phone");
        SignalingClient bob = server.signIn("bob", "phone");
        SignalingClient carol = server.signIn("carol", "phone");
        String callId = alice.request("call.invite", "to", "bob", "media", "video").get("callId").asText();
        bob.expectEvent("call.incoming");
        bob.request("call.accept", "callId", callId);
        alice.expectEvent("call.ringing");
        alice.expectEvent("call.accepted");
        String roomId = alice.request("call.add", "callId", callId, "user", "carol").get("roomId").asText();
        JsonNode endedA = alice.expectEvent("call.ended");
        assertEquals("upgraded", endedA.get("reason").asText());
        assertEquals(roomId, endedA.get("roomId").asText());
        assertEquals(roomId, bob.expectEvent("call.ended").get("roomId").asText());
        JsonNode inv = carol.expectEvent("room.invitation");
        assertEquals(roomId, inv.get("roomId").asText());
        assertEquals("alice", inv.get("from").get("user").asText());
        assertEquals("owner", alice.request("room.join", "roomId", roomId).get("role").asText());
        assertEquals("participant", bob.request("room.join", "roomId", roomId).get("role").asText());
        assertEquals(2, carol.request("room.join", "roomId", roomId).get("participants").size());
        assertEquals("forbidden", code(() -> server.signIn("eve", "x").request("room.join", "roomId", roomId)));
    }

    @Test
    void relayModeCallsFerrySdpThroughTheRelayAndHandOff() {
        start("calls.media = relay");
        SignalingClient alice = server.signIn("alice", "phone");
        SignalingClient bob = server.signIn("bob", "phone");
        SignalingClient bobLaptop = server.signIn("bob", "laptop");
        JsonNode invite = alice.request("call.invite", "to", "bob", "media", "audio");
        assertEquals("relay", invite.get("transport").asText());
        String callId = invite.get("callId").asText();
        assertEquals("relay", bob.expectEvent("call.incoming").get("transport").asText());
        bobLaptop.expectEvent("call.incoming");
        bob.request("call.accept", "callId", callId);
        String conf = "call-" + callId;
        assertEquals(java.util.List.of("create " + conf, "allocate " + conf + "/caller", "create " + conf,
                "allocate " + conf + "/callee"), relay.log);
        assertEquals("answer:a", alice.request("relay.offer", "callId", callId, "sdp", "a").get("sdp").asText());
        assertTrue(relay.log.contains("offer " + conf + "/caller a"));
        assertEquals("wrong_state", code(() -> alice.request("call.offer", "callId", callId, "sdp", "a")));
        relay.listener(conf, "callee").onSubscriberOffer("to-bob");
        assertEquals("to-bob", bob.awaitEvent("relay.offer").get("sdp").asText());

        // hand-off: the callee's endpoint passes from the phone to the laptop under the same id
        relay.log.clear();
        bobLaptop.request("call.pull", "callId", callId);
        assertEquals(java.util.List.of("release " + conf + "/callee", "create " + conf,
                "allocate " + conf + "/callee"), relay.log);
        relay.listener(conf, "callee").onSubscriberOffer("to-laptop");
        assertEquals("to-laptop", bobLaptop.awaitEvent("relay.offer").get("sdp").asText());
        assertEquals("unknown_call", code(() -> bob.request("relay.offer", "callId", callId, "sdp", "late")));
        bobLaptop.request("relay.offer", "callId", callId, "sdp", "laptop");
        assertTrue(relay.log.contains("offer " + conf + "/callee laptop"));
        alice.request("call.hangup", "callId", callId);
        assertTrue(relay.logged("expire " + conf), relay.log::toString);
    }

    /** A relay whose every operation fails as one not started does; {@code calls} counts them. */
    private Optional<org.parley.relay.control.RelayControl> brokenRelay(
            java.util.concurrent.atomic.AtomicInteger calls) {
        return Optional.of((org.parley.relay.control.RelayControl) java.lang.reflect.Proxy
                .newProxyInstance(getClass().getClassLoader(),
                        new Class<?>[] {org.parley.relay.control.RelayControl.class}, (proxy, method, args) -> {
                            if (method.getName().equals("onRestart")) {
                                return null; // a registration, not a call of the relay
                            }
                            calls.incrementAndGet();
                            throw new IllegalStateException("relay not started");
                        }));
    }

    @Test
    void aRelayCallAnswerTheRelayRefusedCanBeTriedAgain() {
        java.util.concurrent.atomic.AtomicInteger calls = new java.util.concurrent.atomic.AtomicInteger();
        server = new TestServer("calls.media = relay", brokenRelay(calls));
        SignalingClient alice = server.signIn("alice", "phone");
        SignalingClient bob = server.signIn("bob", "phone");
        String callId = alice.request("call.invite", "to", "bob", "media", "audio").get("callId").asText();
        bob.expectEvent("call.incoming");
        assertEquals("relay_unavailable", code(() -> bob.request("call.accept", "callId", callId)));
        // refused at once during the hold-off, and not "being answered on another device"
        assertEquals("relay_unavailable", code(() -> bob.request("call.accept", "callId", callId)));
        server.advance(Duration.ofSeconds(5));
        assertEquals("relay_unavailable", code(() -> bob.request("call.accept", "callId", callId)));
        assertEquals(2, calls.get(), "the relay was asked again after the hold-off");
        // the call still rings: the caller can cancel it, which only a ringing call allows
        alice.request("call.cancel", "callId", callId);
        assertEquals("cancelled", bob.awaitEvent("call.ended").get("reason").asText());
    }

    @Test
    void aBrokenRelayGivesRelayUnavailableAndIsNotCalledAgainForAWhile() {
        java.util.concurrent.atomic.AtomicInteger calls = new java.util.concurrent.atomic.AtomicInteger();
        server = new TestServer("", brokenRelay(calls));
        SignalingClient a = server.signIn("a", "d");
        a.request("room.create", "roomId", "r-x");
        assertEquals("relay_unavailable", code(() -> a.request("room.join", "roomId", "r-x")));
        assertEquals(1, calls.get());
        assertEquals(0, server.count("parley.signaling.errors", "code", "internal"));
        // an unreachable relay would make every call wait for its timeout on the signaling loop:
        // for the hold-off, joins are refused at once without calling it
        server.advance(Duration.ofSeconds(4));
        SignalingException refused = assertThrows(SignalingException.class, () -> a.request("room.join", "roomId", "r-x"));
        assertEquals("relay_unavailable", refused.code());
        assertTrue(refused.getMessage().contains("unreachable"), refused.getMessage());
        assertEquals(1, calls.get());
        server.advance(Duration.ofSeconds(1));
        assertEquals("relay_unavailable", code(() -> a.request("room.join", "roomId", "r-x")));
        assertEquals(2, calls.get(), "tried again after the hold-off");
    }

    @Test
    void withoutARelayConferencesAreUnavailable() {
        server = new TestServer("", Optional.empty());
        SignalingClient a = server.signIn("a", "d");
        assertEquals("relay_unavailable", code(() -> a.request("room.create")));
        assertFalse(a.closed().isDone());
    }

    @Test
    void transportFailureOfARelayCallEndsIt() {
        start("calls.media = relay");
        SignalingClient alice = server.signIn("alice", "phone");
        SignalingClient bob = server.signIn("bob", "phone");
        String callId = alice.request("call.invite", "to", "bob", "media", "audio").get("callId").asText();
        bob.expectEvent("call.incoming");
        bob.request("call.accept", "callId", callId);
        relay.listener("call-" + callId, "callee").onTransportFailed("ice failed");
        assertEquals("media_failed", bob.awaitEvent("call.ended").get("reason").asText());
        assertEquals("media_failed", alice.awaitEvent("call.ended").get("reason").asText());
        assertTrue(alice.quiet(QUIET));
    }
}
