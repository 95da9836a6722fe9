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
import org.parley.signaling.TestServer;
import org.parley.signaling.client.SignalingClient;
import org.parley.signaling.client.SignalingException;

/** One-to-one calls over real WebSockets: every transition of docs/protocol.md §5.1. */
class CallEndToEndTest {

    private static final Duration QUIET = Duration.ofMillis(150);

    private TestServer server;

    @AfterEach
    void stop() {
        if (server != null) {
            server.close();
        }
    }

    private TestServer start(String overrides) {
        server = new TestServer(overrides, Optional.empty());
        return server;
    }

    private static String code(Runnable r) {
        return assertThrows(SignalingException.class, r::run).code();
    }

    @Test
    void everyDeviceRingsFirstAcceptWinsOthersGetAnsweredElsewhere() {
        start("");
        SignalingClient alice = server.signIn("alice", "phone");
        SignalingClient bobLaptop = server.signIn("bob", "laptop");
        SignalingClient bobPhone = server.signIn("bob", "phone");

        JsonNode invite = alice.request("call.invite", "to", "bob", "media", "video");
        String callId = invite.get("callId").asText();
        assertEquals("p2p", invite.get("transport").asText());
        JsonNode ringing = alice.expectEvent("call.ringing");
        assertEquals(callId, ringing.get("callId").asText());
        assertEquals(2, ringing.get("devices").asInt());
        for (SignalingClient d : new SignalingClient[] {bobLaptop, bobPhone}) {
            JsonNode in = d.expectEvent("call.incoming");
            assertEquals(callId, in.get("callId").asText());
            assertEquals("alice", in.get("from").get("user").asText());
            assertEquals("phone", in.get("from").get("device").asText());
            assertEquals("video", in.get("media").asText());
            assertFalse(in.get("waiting").asBoolean());
        }

        JsonNode accepted = bobLaptop.request("call.accept", "callId", callId);
        assertEquals("alice", accepted.get("peer").get("user").asText());
        JsonNode toCaller = alice.expectEvent("call.accepted");
        assertEquals("laptop", toCaller.get("peer").get("device").asText());
        JsonNode elsewhere = bobPhone.expectEvent("call.ended");
        assertEquals("answered_elsewhere", elsewhere.get("reason").asText());
        assertEquals(callId, elsewhere.get("callId").asText());
        assertEquals("unknown_call", code(() -> bobPhone.request("call.accept", "callId", callId)));
        assertEquals(1, server.signaling.liveCalls());

        // media negotiation and state, forwarded unchanged between the two active devices only
        alice.request("call.offer", "callId", callId, "sdp", "v=0 offer");
        assertEquals("v=0 offer", bobLaptop.expectEvent("call.offer").get("sdp").asText());
        bobLaptop.request("call.answer", "callId", callId, "sdp", "v=0 answer");
        assertEquals("v=0 answer", alice.expectEvent("call.answer").get("sdp").asText());
        alice.request("call.candidate", "callId", callId, "candidate", "candidate:1 1 udp 1 127.0.0.1 5000 typ host",
                "sdpMid", "0", "sdpMLineIndex", 0);
        JsonNode cand = bobLaptop.expectEvent("call.candidate");
        assertEquals("candidate:1 1 udp 1 127.0.0.1 5000 typ host", cand.get("candidate").asText());
        assertEquals("0", cand.get("sdpMid").asText());
        bobLaptop.request("call.candidate", "callId", callId, "candidate", "");
        assertEquals("", alice.expectEvent("call.candidate").get("candidate").asText());
        bobLaptop.request("call.media", "callId", callId, "audio", false, "screen", true);
        JsonNode media = alice.expectEvent("call.media");
        assertFalse(media.get("audio").asBoolean());
        assertTrue(media.get("video").asBoolean());
        assertTrue(media.get("screen").asBoolean());
        alice.request("call.connected", "callId", callId);
        bobLaptop.expectEvent("call.connected");
        assertEquals("wrong_state", code(() -> bobLaptop.request("call.connected", "callId", callId)));
        assertTrue(bobPhone.quiet(QUIET), "a device that did not answer hears nothing of the call");

        bobLaptop.request("call.hangup", "callId", callId, "reason", "battery_low");
        JsonNode ended = alice.expectEvent("call.ended");
        assertEquals("battery_low", ended.get("reason").asText());
        assertEquals(0, server.signaling.liveCalls());
        assertEquals(1, server.count("parley.signaling.calls", "outcome", "other"));
    }

    @Test
    void rejectFromOneDeviceStopsAllRinging() {
        start("");
        SignalingClient alice = server.signIn("alice", "phone");
        SignalingClient bob1 = server.signIn("bob", "one");
        SignalingClient bob2 = server.signIn("bob", "two");
        String callId = alice.request("call.invite", "to", "bob", "media", "audio").get("callId").asText();
        bob1.expectEvent("call.incoming");
        bob2.expectEvent("call.incoming");
        bob2.request("call.reject", "callId", callId);
        alice.expectEvent("call.ringing");
        assertEquals("rejected", alice.expectEvent("call.ended").get("reason").asText());
        assertEquals("rejected", bob1.expectEvent("call.ended").get("reason").asText());
        assertTrue(bob2.quiet(QUIET), "the rejecting device got its reply only");
        assertEquals(1, server.count("parley.signaling.calls", "outcome", "rejected"));
    }

    @Test
    void callerCancelsWhileRinging() {
        start("");
        SignalingClient alice = server.signIn("alice", "phone");
        SignalingClient bob = server.signIn("bob", "phone");
        String callId = alice.request("call.invite", "to", "bob", "media", "audio").get("callId").asText();
        bob.expectEvent("call.incoming");
        assertEquals("wrong_state", code(() -> bob.request("call.cancel", "callId", callId)));
        alice.request("call.cancel", "callId", callId);
        assertEquals("cancelled", bob.expectEvent("call.ended").get("reason").asText());
        assertEquals("unknown_call", code(() -> bob.request("call.accept", "callId", callId)));
    }

    @Test
    void calleeInACallIsBusyUnlessCallWaiting() {
        start("");
        SignalingClient alice = server.signIn("alice", "phone");
        SignalingClient bob = server.signIn("bob", "phone");
        SignalingClient carol = server.signIn("carol", "phone");
        String first = alice.request("call.invite", "to", "bob", "media", "audio").get("callId").asText();
        bob.expectEvent("call.incoming");
        bob.request("call.accept", "callId", first);
        JsonNode invite = carol.request("call.invite", "to", "bob", "media", "audio");
        JsonNode busy = carol.expectEvent("call.ended");
        assertEquals(invite.get("callId").asText(), busy.get("callId").asText());
        assertEquals("busy", busy.get("reason").asText());
        assertTrue(bob.quiet(QUIET), "a busy callee is not disturbed");
    }

    @Test
    void callWaitingRingsABusyCalleeMarkedWaiting() {
        start("calls.call-waiting = true");
        SignalingClient alice = server.signIn("alice", "phone");
        SignalingClient bob = server.signIn("bob", "phone");
        SignalingClient carol = server.signIn("carol", "phone");
        String first = alice.request("call.invite", "to", "bob", "media", "audio").get("callId").asText();
        bob.expectEvent("call.incoming");
        bob.request("call.accept", "callId", first);
        carol.request("call.invite", "to", "bob", "media", "audio");
        assertTrue(bob.expectEvent("call.incoming").get("waiting").asBoolean());
        carol.expectEvent("call.ringing");
    }

    @Test
    void nobodyAnswersWithinRingTimeout() {
        start("calls.ring-timeout = 30s");
        SignalingClient alice = server.signIn("alice", "phone");
        SignalingClient bob = server.signIn("bob", "phone");
        alice.request("call.invite", "to", "bob", "media", "audio");
        alice.expectEvent("call.ringing");
        bob.expectEvent("call.incoming");
        server.advance(Duration.ofSeconds(29));
        assertTrue(alice.quiet(QUIET));
        server.advance(Duration.ofSeconds(2));
        assertEquals("no_answer", alice.expectEvent("call.ended").get("reason").asText());
        assertEquals("no_answer", bob.expectEvent("call.ended").get("reason").asText());
    }

    @Test
    void offlineCalleeIsUnavailable() {
        start("");
        SignalingClient alice = server.signIn("alice", "phone");
        alice.request("call.invite", "to", "dave", "media", "audio");
        assertEquals("unavailable", alice.expectEvent("call.ended").get("reason").asText());
        assertEquals("invalid_field", code(() -> alice.request("call.invite", "to", "alice", "media", "audio")));
    }

    @Test
    void glareEndsInOneCall() {
        start("");
        SignalingClient alice = server.signIn("alice", "phone");
        SignalingClient bobLaptop = server.signIn("bob", "laptop");
        SignalingClient bobPhone = server.signIn("bob", "phone");
        String callId = alice.request("call.invite", "to", "bob", "media", "video").get("callId").asText();
        bobLaptop.expectEvent("call.incoming");
        bobPhone.expectEvent("call.incoming");
        JsonNode glare = bobLaptop.request("call.invite", "to", "alice", "media", "video");
        assertTrue(glare.get("glare").asBoolean());
        assertEquals(callId, glare.get("callId").asText());
        alice.expectEvent("call.ringing");
        assertEquals("laptop", alice.expectEvent("call.accepted").get("peer").get("device").asText());
        assertEquals("answered_elsewhere", bobPhone.expectEvent("call.ended").get("reason").asText());
        assertEquals(1, server.signaling.liveCalls());
        alice.request("call.offer", "callId", callId, "sdp", "o");
        assertEquals("o", bobLaptop.expectEvent("call.offer").get("sdp").asText());
    }

    @Test
    void wrongStateRequestsChangeNothing() {
        start("");
        SignalingClient alice = server.signIn("alice", "phone");
        SignalingClient bob = server.signIn("bob", "phone");
        String callId = alice.request("call.invite", "to", "bob", "media", "audio").get("callId").asText();
        alice.expectEvent("call.ringing");
        bob.expectEvent("call.incoming");
        assertEquals("wrong_state", code(() -> alice.request("call.accept", "callId", callId)));
        assertEquals("wrong_state", code(() -> alice.request("call.offer", "callId", callId, "sdp", "x")));
        assertEquals("wrong_state", code(() -> bob.request("call.hangup", "callId", callId)));
        assertEquals("wrong_state", code(() -> bob.request("call.media", "callId", callId, "audio", false)));
        assertEquals("unknown_call", code(() -> bob.request("call.accept", "callId", "c-nope")));
        assertEquals("invalid_field", code(() -> bob.request("call.hangup", "callId", callId, "reason", "No Way")));
        assertTrue(alice.quiet(QUIET));
        bob.request("call.accept", "callId", callId);
        alice.expectEvent("call.accepted");
        assertEquals("wrong_state", code(() -> bob.request("call.reject", "callId", callId)));
        assertEquals("wrong_state", code(() -> alice.request("call.cancel", "callId", callId)));
        alice.request("call.hangup", "callId", callId);
        assertEquals("hangup", bob.expectEvent("call.ended").get("reason").asText());
    }
}
