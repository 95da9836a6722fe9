package org.parley.signaling.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.Random;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.parley.signaling.TestServer;
import org.parley.signaling.client.SignalingClient;
import org.parley.signaling.wire.ErrorCode;

/**
 * Mutated real requests through a real socket from a device in a live call: every answer is a
 * documented error (never {@code internal}), the connection stays up, and the call and the other
 * party are untouched.
 */
class ProtocolFuzzEndToEndTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final List<String> TYPES = List.of("call.invite", "call.accept", "call.reject", "call.cancel",
            "call.hangup", "call.connected", "call.offer", "call.answer", "call.candidate", "call.media",
            "call.transfer", "call.pull", "call.add", "relay.offer", "relay.answer", "relay.candidate", "room.create",
            "room.join", "room.leave", "room.media", "room.mute", "room.remove", "room.lock", "room.set_role",
            "room.subscribe", "room.invite_link", "room.revoke_invite", "room.allow", "room.list_removed", "refresh",
            "media.constraints",
            "hello", "ack", "e2ee.key", "nonsense");
    private static final List<String> FIELDS = List.of("callId", "to", "media", "sdp", "candidate", "sdpMid",
            "sdpMLineIndex", "reason", "toDevice", "user", "roomId", "participantId", "kind", "all", "locked", "role",
            "participantIds", "invite", "ttlSeconds", "maxParticipants", "publish", "connection", "audio", "token",
            "seq", "device", "inviteId", "e2ee", "payload", "lastN", "pinned", "onStage", "sources");

    @Test
    void mutatedRequestsGetDocumentedErrorsAndChangeNothing() throws Exception {
        try (TestServer server = new TestServer("rate-limit.burst = 100000", Optional.empty())) {
            SignalingClient alice = server.signIn("alice", "phone");
            SignalingClient bob = server.signIn("bob", "phone");
            String callId = alice.request("call.invite", "to", "bob", "media", "audio").get("callId").asText();
            bob.expectEvent("call.incoming");
            bob.request("call.accept", "callId", callId);
            alice.awaitEvent("call.accepted");

            Set<String> documented = Stream.of(ErrorCode.values()).map(ErrorCode::wireName).collect(Collectors.toSet());
            documented.remove("internal");
            Random random = new Random(42);
            int frames = 1500;
            for (int i = 0; i < frames; i++) {
                ObjectNode m = JSON.createObjectNode();
                m.put("type", TYPES.get(random.nextInt(TYPES.size())));
                m.put("id", "f" + i);
                for (int f = random.nextInt(5); f > 0; f--) {
                    m.set(FIELDS.get(random.nextInt(FIELDS.size())), randomValue(random));
                }
                alice.sendRaw(m.toString());
            }
            alice.request("ping");
            int answers = 0;
            while (!alice.quietOrTakeInto(Duration.ofMillis(300), node -> {
                if ("error".equals(node.path("type").asText())) {
                    assertTrue(documented.contains(node.get("code").asText()), node.toString());
                }
            })) {
                answers++;
            }
            assertTrue(answers > frames / 2, "the fuzzed frames were answered: " + answers);
            assertFalse(alice.closed().isDone());
            assertEquals(1, server.signaling.liveCalls());
            alice.request("call.offer", "callId", callId, "sdp", "after fuzz");
            JsonNode offer = bob.awaitEvent("call.offer");
            assertEquals("after fuzz", offer.get("sdp").asText());
            assertEquals(0, server.count("parley.signaling.errors", "code", "internal"));
        }
    }

    private static JsonNode randomValue(Random r) {
        return switch (r.nextInt(8)) {
            case 0 -> JSON.getNodeFactory().textNode("");
            case 1 -> JSON.getNodeFactory().numberNode(r.nextLong());
            case 2 -> JSON.getNodeFactory().booleanNode(r.nextBoolean());
            case 3 -> JSON.getNodeFactory().nullNode();
            case 4 -> JSON.createArrayNode().add(r.nextInt()).add("x");
            case 5 -> JSON.createObjectNode().put("k", "v");
            case 6 -> JSON.getNodeFactory().textNode("c-" + Long.toHexString(r.nextLong()));
            default -> JSON.getNodeFactory().textNode(List.of("audio", "video", "owner", "publisher", "u" + r.nextInt(50))
                    .get(r.nextInt(5)));
        };
    }
}
