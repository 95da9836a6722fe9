package org.parley.signaling.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.parley.relay.control.ReceiverConstraints;
import org.parley.relay.control.ReceiverConstraints.SourceLimit;
import org.parley.relay.control.SourceKind;
import org.parley.signaling.FakeRelay;
import org.parley.signaling.TestServer;
import org.parley.signaling.client.SignalingClient;
import org.parley.signaling.client.SignalingException;

/**
 * {@code media.constraints} and {@code media.layers} over real WebSockets (docs/protocol.md §6.4),
 * with a recording relay: what reaches the relay, the typed errors for bad input (and that nothing
 * reaches the relay then), and the layers event reaching the publisher's device.
 */
class MediaConstraintsEndToEndTest {

    private final FakeRelay relay = new FakeRelay();
    private TestServer server;

    @AfterEach
    void stop() {
        if (server != null) {
            server.close();
        }
    }

    private static String code(Runnable r) {
        return assertThrows(SignalingException.class, r::run).code();
    }

    @Test
    void constraintsInARoomReachTheRelayAndBadOnesChangeNothing() {
        server = new TestServer("", Optional.of(relay));
        SignalingClient alice = server.signIn("alice", "laptop");
        SignalingClient bob = server.signIn("bob", "laptop");
        alice.request("room.create", "roomId", "r-layout");
        String aliceId = alice.request("room.join", "roomId", "r-layout").get("participantId").asText();
        String invite = alice.request("room.invite_link", "roomId", "r-layout").get("invite").asText();
        String bobId = bob.request("room.join", "roomId", "r-layout", "invite", invite).get("participantId").asText();

        alice.request("media.constraints", "roomId", "r-layout", "lastN", 3, "onStage", List.of(bobId), "sources",
                List.of(Map.of("participantId", bobId, "kind", "screen", "maxHeight", 720, "maxFrameRate", 5)));
        ReceiverConstraints expected = new ReceiverConstraints(3, List.of(), List.of(bobId),
                List.of(new SourceLimit(bobId, SourceKind.SCREEN, 720, 5, false)));
        assertTrue(relay.log.contains("constraints room-r-layout/" + aliceId + " " + expected), relay.log.toString());

        int before = relay.log.size();
        assertEquals("unknown_participant", code(() -> alice.request("media.constraints", "roomId", "r-layout",
                "pinned", List.of("p-nobody"))));
        assertEquals("unknown_participant", code(() -> alice.request("media.constraints", "roomId", "r-layout",
                "pinned", List.of(aliceId))), "one's own camera is not something one receives");
        assertEquals("invalid_field", code(() -> alice.request("media.constraints", "roomId", "r-layout",
                "lastN", -5)));
        assertEquals("invalid_field", code(() -> alice.request("media.constraints", "roomId", "r-layout",
                "lastN", "three")));
        assertEquals("invalid_field", code(() -> alice.request("media.constraints", "roomId", "r-layout",
                "sources", List.of(Map.of("participantId", bobId, "kind", "video", "maxHeight", 0)))));
        assertEquals("invalid_field", code(() -> alice.request("media.constraints", "roomId", "r-layout",
                "sources", List.of(Map.of("participantId", bobId, "kind", "audio", "off", true)))));
        assertEquals("invalid_field", code(() -> alice.request("media.constraints", "roomId", "r-layout",
                "sources", List.of(Map.of("participantId", bobId, "kind", "video", "off", "yes")))));
        assertEquals("invalid_field", code(() -> alice.request("media.constraints", "roomId", "r-layout",
                "sources", List.of(Map.of("participantId", bobId, "kind", "video", "off", true),
                        Map.of("participantId", bobId, "kind", "video", "maxHeight", 180)))));
        assertEquals("missing_field", code(() -> alice.request("media.constraints", "roomId", "r-layout",
                "sources", List.of(Map.of("kind", "video", "off", true)))));
        assertEquals("unknown_room", code(() -> alice.request("media.constraints", "roomId", "r-elsewhere")));
        assertEquals(before, relay.log.size(), "no bad request reached the relay: " + relay.log.subList(before,
                relay.log.size()));

        // a new request replaces the old constraints whole; an empty one means the defaults
        bob.request("media.constraints", "roomId", "r-layout");
        assertTrue(relay.log.contains("constraints room-r-layout/" + bobId + " " + ReceiverConstraints.NONE));
    }

    @Test
    void theLayersEventReachesThePublishersDevice() {
        server = new TestServer("", Optional.of(relay));
        SignalingClient alice = server.signIn("alice", "laptop");
        alice.request("room.create", "roomId", "r-layers");
        String aliceId = alice.request("room.join", "roomId", "r-layers").get("participantId").asText();
        relay.listener("room-r-layers", aliceId).onLayersNeeded(SourceKind.VIDEO, List.of(true, false, false));
        JsonNode ev = alice.expectEvent("media.layers");
        assertEquals("r-layers", ev.get("roomId").asText());
        assertEquals("video", ev.get("kind").asText());
        assertEquals("[true,false,false]", ev.get("active").toString());
    }

    @Test
    void inARelayCallThePeerIsNamedByItsPart() {
        server = new TestServer("calls.media = relay", Optional.of(relay));
        SignalingClient alice = server.signIn("alice", "phone");
        SignalingClient bob = server.signIn("bob", "phone");
        String callId = alice.request("call.invite", "to", "bob", "media", "video").get("callId").asText();
        bob.expectEvent("call.incoming");
        bob.request("call.accept", "callId", callId);
        bob.request("media.constraints", "callId", callId, "sources",
                List.of(Map.of("participantId", "caller", "kind", "video", "maxHeight", 360)));
        assertTrue(relay.log.contains("constraints call-" + callId + "/callee " + new ReceiverConstraints(null,
                List.of(), List.of(), List.of(new SourceLimit("caller", SourceKind.VIDEO, 360, 0, false)))),
                relay.log.toString());
        assertEquals("unknown_participant", code(() -> bob.request("media.constraints", "callId", callId,
                "pinned", List.of("callee"))));
        assertEquals("unknown_call", code(() -> bob.request("media.constraints", "callId", "c-nope")));
    }
}
