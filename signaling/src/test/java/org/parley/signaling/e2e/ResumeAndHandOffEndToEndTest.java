package org.parley.signaling.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.parley.signaling.TestServer;
import org.parley.signaling.client.SignalingClient;
import org.parley.signaling.client.SignalingException;

/** Resume after a dropped connection (§4) and device hand-off (§5.5) over real WebSockets. */
class ResumeAndHandOffEndToEndTest {

    private static final Duration QUIET = Duration.ofMillis(150);

    private TestServer server;
    private SignalingClient alice;
    private SignalingClient bob;
    private String callId;

    @BeforeEach
    void callInProgress() {
        server = new TestServer("resume-grace-period = 30s", Optional.empty());
        alice = server.signIn("alice", "phone");
        bob = server.signIn("bob", "laptop");
        callId = alice.request("call.invite", "to", "bob", "media", "video").get("callId").asText();
        alice.expectEvent("call.ringing");
        bob.expectEvent("call.incoming");
        bob.request("call.accept", "callId", callId);
        alice.expectEvent("call.accepted");
    }

    @AfterEach
    void stop() {
        server.close();
    }

    @Test
    void resumeGetsSameSessionAndEveryMissedEventInOrderOnce() {
        String sessionId = bob.sessionId();
        String resumeToken = bob.resumeToken();
        long seen = bob.lastSeq();
        bob.abort();
        List<String> sent = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            alice.request("call.candidate", "callId", callId, "candidate", "candidate:" + i);
            sent.add("candidate:" + i);
        }
        alice.request("call.offer", "callId", callId, "sdp", "restart");

        SignalingClient back = server.connect();
        JsonNode welcome = back.resume(server.token("bob"), "laptop", resumeToken, seen);
        assertTrue(welcome.get("resumed").asBoolean());
        assertEquals(sessionId, welcome.get("sessionId").asText());
        assertNotEquals(resumeToken, welcome.get("resumeToken").asText());
        long previous = seen;
        for (String c : sent) {
            JsonNode e = back.expectEvent("call.candidate");
            assertEquals(c, e.get("candidate").asText());
            assertEquals(previous + 1, e.get("seq").asLong(), "sequence numbers continue without gaps");
            previous = e.get("seq").asLong();
        }
        assertEquals("restart", back.expectEvent("call.offer").get("sdp").asText());
        assertTrue(back.quiet(QUIET), "nothing is replayed twice");
        assertEquals(0, back.duplicates());
        // the call survived: media renegotiates on the same call
        back.request("call.answer", "callId", callId, "sdp", "answer after resume");
        assertEquals("answer after resume", alice.expectEvent("call.answer").get("sdp").asText());
    }

    @Test
    void resumeFromAnOlderSeqReplaysFromThere() {
        String resumeToken = bob.resumeToken();
        alice.request("call.media", "callId", callId, "audio", false);
        JsonNode media = bob.expectEvent("call.media");
        long beforeMedia = media.get("seq").asLong() - 1;
        bob.abort();
        SignalingClient back = server.connect();
        back.resume(server.token("bob"), "laptop", resumeToken, beforeMedia);
        assertEquals(media.get("seq").asLong(), back.expectEvent("call.media").get("seq").asLong());
        assertTrue(back.quiet(QUIET));
    }

    @Test
    void resumeWhileTheOldConnectionLooksAliveReplacesIt() {
        SignalingClient back = server.connect();
        JsonNode welcome = back.resume(server.token("bob"), "laptop", bob.resumeToken(), bob.lastSeq());
        assertTrue(welcome.get("resumed").asBoolean());
        assertEquals(4004, bob.awaitClose().code());
        alice.request("call.offer", "callId", callId, "sdp", "x");
        assertEquals("x", back.expectEvent("call.offer").get("sdp").asText());
    }

    @Test
    void afterTheGracePeriodTheCallEndsWithConnectionLost() {
        String resumeToken = bob.resumeToken();
        bob.abort();
        assertTrue(alice.quiet(QUIET));
        server.advance(Duration.ofSeconds(29));
        assertTrue(alice.quiet(QUIET), "still within the grace period");
        server.advance(Duration.ofSeconds(2));
        assertEquals("connection_lost", alice.expectEvent("call.ended").get("reason").asText());
        SignalingClient late = server.connect();
        JsonNode welcome = late.resume(server.token("bob"), "laptop", resumeToken, 0);
        assertFalse(welcome.get("resumed").asBoolean(), "too late: a fresh session");
        assertEquals(0, server.signaling.liveCalls());
    }

    @Test
    void aRefusedResumeListsTheCallsTheClientNamedAsEndedAndASuccessfulOneDoesNot() {
        SignalingClient again = server.connect();
        again.resume(server.token("alice"), "phone", alice.resumeToken(), alice.lastSeq(), List.of(callId), List.of());
        assertEquals(List.of(), again.ended(), "resumed: the call goes on and nothing is reported ended");

        // a new sign-in of the same device ends bob's session (and the call, connection_lost)
        String resumeToken = bob.resumeToken();
        server.signIn("bob", "laptop");
        assertEquals("connection_lost", again.awaitEvent("call.ended").get("reason").asText());
        SignalingClient late = server.connect();
        SignalingException bad = assertThrows(SignalingException.class, () -> late.resume(server.token("bob"),
                "laptop", resumeToken, 0, List.of("not an id"), List.of()));
        assertEquals("invalid_field", bad.code());
        JsonNode welcome = late.resume(server.token("bob"), "laptop", resumeToken, 0, List.of(callId),
                List.of("r-gone"));
        assertFalse(welcome.get("resumed").asBoolean());
        assertEquals(List.of(new SignalingClient.Ended(callId, null, "connection_lost"),
                new SignalingClient.Ended(null, "r-gone", "connection_lost")), late.ended());
    }

    @Test
    void resumeTokenOfAnotherUserStartsAFreshSession() {
        SignalingClient thief = server.connect();
        JsonNode w = thief.resume(server.token("mallory"), "laptop", bob.resumeToken(), 0);
        assertFalse(w.get("resumed").asBoolean());
        assertNotEquals(bob.sessionId(), w.get("sessionId").asText());
        assertFalse(bob.closed().isDone());
    }

    @Test
    void pushHandOffMovesTheCallToAnotherDevice() {
        SignalingClient tablet = server.signIn("alice", "tablet");
        assertEquals("unknown_device", assertThrows(SignalingException.class,
                () -> alice.request("call.transfer", "callId", callId, "toDevice", "fridge")).code());
        alice.request("call.transfer", "callId", callId, "toDevice", "tablet");
        JsonNode handoff = tablet.expectEvent("call.handoff");
        assertEquals(callId, handoff.get("callId").asText());
        assertEquals("bob", handoff.get("peer").get("user").asText());
        assertEquals("video", handoff.get("media").asText());
        assertEquals("transferred", alice.expectEvent("call.ended").get("reason").asText());
        JsonNode moved = bob.expectEvent("call.transferred");
        assertEquals("tablet", moved.get("peer").get("device").asText());
        tablet.request("call.offer", "callId", callId, "sdp", "from tablet");
        assertEquals("from tablet", bob.expectEvent("call.offer").get("sdp").asText());
        assertEquals("unknown_call", assertThrows(SignalingException.class,
                () -> alice.request("call.offer", "callId", callId, "sdp", "stale")).code());
        assertEquals(1, server.signaling.liveCalls(), "the other party never left the call");
    }

    @Test
    void pullHandOffTakesTheCallFromAnotherDevice() {
        SignalingClient bobPhone = server.signIn("bob", "phone");
        SignalingClient carol = server.signIn("carol", "phone");
        assertEquals("unknown_call", assertThrows(SignalingException.class,
                () -> carol.request("call.pull", "callId", callId)).code());
        assertEquals("wrong_state", assertThrows(SignalingException.class,
                () -> bob.request("call.pull", "callId", callId)).code());
        JsonNode taken = bobPhone.request("call.pull", "callId", callId);
        assertEquals("alice", taken.get("peer").get("user").asText());
        assertEquals("connecting", taken.get("state").asText());
        assertEquals("transferred", bob.expectEvent("call.ended").get("reason").asText());
        assertEquals("phone", alice.expectEvent("call.transferred").get("peer").get("device").asText());
        alice.request("call.hangup", "callId", callId);
        assertEquals("hangup", bobPhone.expectEvent("call.ended").get("reason").asText());
    }
}
