package org.parley.signaling.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.parley.signaling.e2e.TestKeys.e2ee;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Duration;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.parley.signaling.FakeRelay;
import org.parley.signaling.TestServer;
import org.parley.signaling.client.SignalingClient;
import org.parley.signaling.client.SignalingException;

/**
 * End-to-end encrypted one-to-one calls over real WebSockets (docs/protocol.md §12), peer-to-peer
 * and through the relay, hand-off included: who may invite, answer and take the call over, identity
 * keys reaching the other device, and {@code e2ee.key} reaching only the other active device.
 */
class E2eeCallEndToEndTest {

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
    void anE2eeCallRingsWithTheCallersKeyAndIsAnsweredOnlyWithAKey() {
        start("");
        String aliceKey = TestKeys.identityKey();
        String bobKey = TestKeys.identityKey();
        SignalingClient alice = server.signIn("alice", "phone");
        SignalingClient bobLaptop = server.signIn("bob", "laptop");
        SignalingClient bobPhone = server.signIn("bob", "phone");

        JsonNode invite = alice.request("call.invite", "to", "bob", "media", "video", "e2ee", e2ee(aliceKey));
        String callId = invite.get("callId").asText();
        for (SignalingClient d : new SignalingClient[] {bobLaptop, bobPhone}) {
            JsonNode in = d.expectEvent("call.incoming");
            assertTrue(in.get("e2ee").asBoolean());
            assertEquals(aliceKey, in.get("identityKey").asText());
        }
        alice.expectEvent("call.ringing");
        assertEquals("wrong_state", code(() -> alice.request("e2ee.key", "callId", callId, "payload", "early")),
                "no other device to address before the answer");

        assertEquals("e2ee_required", code(() -> bobLaptop.request("call.accept", "callId", callId)));
        assertEquals("invalid_field", code(() -> bobLaptop.request("call.accept", "callId", callId,
                "e2ee", e2ee(TestKeys.malformedKeys().get(0)))));
        assertTrue(alice.quiet(QUIET) && bobPhone.quiet(QUIET), "the call keeps ringing, nobody hears of the refusal");

        JsonNode accepted = bobLaptop.request("call.accept", "callId", callId, "e2ee", e2ee(bobKey));
        assertTrue(accepted.get("e2ee").asBoolean());
        assertEquals(aliceKey, accepted.get("identityKey").asText());
        JsonNode toCaller = alice.expectEvent("call.accepted");
        assertTrue(toCaller.get("e2ee").asBoolean());
        assertEquals(bobKey, toCaller.get("identityKey").asText());
        assertEquals("answered_elsewhere", bobPhone.expectEvent("call.ended").get("reason").asText());

        alice.request("e2ee.key", "callId", callId, "payload", "for-bob");
        JsonNode got = bobLaptop.expectEvent("e2ee.key");
        assertEquals(callId, got.get("callId").asText());
        assertEquals("alice", got.get("from").get("user").asText());
        assertEquals("phone", got.get("from").get("device").asText());
        assertEquals("for-bob", got.get("payload").asText());
        bobLaptop.request("e2ee.key", "callId", callId, "payload", "for-alice");
        assertEquals("for-alice", alice.expectEvent("e2ee.key").get("payload").asText());
        assertEquals("unknown_call", code(() -> bobPhone.request("e2ee.key", "callId", callId, "payload", "x")));
        assertTrue(bobPhone.quiet(QUIET) && alice.quiet(QUIET) && bobLaptop.quiet(QUIET));
    }

    @Test
    void aCallWithoutE2eeSaysSoAndCarriesNoKeyMessages() {
        start("");
        SignalingClient alice = server.signIn("alice", "phone");
        SignalingClient bob = server.signIn("bob", "laptop");
        String callId = alice.request("call.invite", "to", "bob", "media", "audio").get("callId").asText();
        JsonNode in = bob.expectEvent("call.incoming");
        assertFalse(in.get("e2ee").asBoolean());
        assertFalse(in.has("identityKey"));
        bob.request("call.accept", "callId", callId, "e2ee", e2ee(TestKeys.identityKey()));
        alice.awaitEvent("call.accepted");
        assertEquals("wrong_state", code(() -> bob.request("e2ee.key", "callId", callId, "payload", "x")));
        assertEquals("wrong_state", code(() -> alice.request("e2ee.key", "callId", callId, "payload", "x")));
        assertTrue(alice.quiet(QUIET) && bob.quiet(QUIET));
    }

    @Test
    void theOperatorCanRequireE2eeForEveryCall() {
        start("e2ee.require-for-calls = true");
        SignalingClient alice = server.signIn("alice", "phone");
        SignalingClient bob = server.signIn("bob", "laptop");
        assertEquals("e2ee_required", code(() -> alice.request("call.invite", "to", "bob", "media", "audio")));
        assertTrue(bob.quiet(QUIET), "a refused invite rings nobody");
        assertEquals(0, server.signaling.liveCalls());
        String callId = alice.request("call.invite", "to", "bob", "media", "audio", "e2ee",
                e2ee(TestKeys.identityKey())).get("callId").asText();
        assertTrue(bob.expectEvent("call.incoming").get("e2ee").asBoolean());
        assertEquals("e2ee_required", code(() -> bob.request("call.accept", "callId", callId)));
    }

    @Test
    void glareOnAnE2eeCallNeedsAKeyFromTheSecondCaller() {
        start("");
        String aliceKey = TestKeys.identityKey();
        String bobKey = TestKeys.identityKey();
        SignalingClient alice = server.signIn("alice", "phone");
        SignalingClient bob = server.signIn("bob", "phone");
        String callId = alice.request("call.invite", "to", "bob", "media", "audio", "e2ee", e2ee(aliceKey))
                .get("callId").asText();
        bob.expectEvent("call.incoming");
        assertEquals("e2ee_required", code(() -> bob.request("call.invite", "to", "alice", "media", "audio")));
        JsonNode glare = bob.request("call.invite", "to", "alice", "media", "audio", "e2ee", e2ee(bobKey));
        assertTrue(glare.get("glare").asBoolean());
        assertEquals(callId, glare.get("callId").asText());
        assertEquals(aliceKey, glare.get("identityKey").asText());
        assertEquals(bobKey, alice.awaitEvent("call.accepted").get("identityKey").asText());
    }

    @Test
    void throughTheRelayAHandOffCarriesTheNewDevicesKeyAndNeedsOne() {
        start("calls.media = relay");
        String aliceKey = TestKeys.identityKey();
        String tabletKey = TestKeys.identityKey();
        String phoneKey = TestKeys.identityKey();
        SignalingClient alice = server.signIn("alice", "phone");
        SignalingClient bobLaptop = server.signIn("bob", "laptop");
        SignalingClient bobPhone = server.signIn("bob", "phone");
        SignalingClient bobTablet = server.connect();
        bobTablet.request("hello", "token", server.token("bob"), "device", "tablet", "e2ee", e2ee(tabletKey));

        JsonNode invite = alice.request("call.invite", "to", "bob", "media", "video", "e2ee", e2ee(aliceKey));
        String callId = invite.get("callId").asText();
        assertEquals("relay", invite.get("transport").asText());
        bobLaptop.expectEvent("call.incoming");
        bobLaptop.request("call.accept", "callId", callId, "e2ee", e2ee(TestKeys.identityKey()));
        alice.awaitEvent("call.accepted");
        bobPhone.awaitEvent("call.ended");
        bobTablet.awaitEvent("call.ended");
        alice.request("e2ee.key", "callId", callId, "payload", "k1");
        assertEquals("k1", bobLaptop.expectEvent("e2ee.key").get("payload").asText());

        // push to a device that announced no key: refused, the laptop keeps the call
        assertEquals("e2ee_required", code(() -> bobLaptop.request("call.transfer", "callId", callId,
                "toDevice", "phone")));
        assertTrue(alice.quiet(QUIET) && bobPhone.quiet(QUIET));
        alice.request("e2ee.key", "callId", callId, "payload", "k2");
        assertEquals("k2", bobLaptop.expectEvent("e2ee.key").get("payload").asText());

        // push to the tablet, which gave its key in hello
        bobLaptop.request("call.transfer", "callId", callId, "toDevice", "tablet");
        JsonNode handoff = bobTablet.expectEvent("call.handoff");
        assertTrue(handoff.get("e2ee").asBoolean());
        assertEquals(aliceKey, handoff.get("identityKey").asText());
        JsonNode moved = alice.expectEvent("call.transferred");
        assertEquals("tablet", moved.get("peer").get("device").asText());
        assertEquals(tabletKey, moved.get("identityKey").asText());
        assertEquals("transferred", bobLaptop.expectEvent("call.ended").get("reason").asText());
        alice.request("e2ee.key", "callId", callId, "payload", "k3");
        assertEquals("k3", bobTablet.expectEvent("e2ee.key").get("payload").asText());
        assertTrue(bobLaptop.quiet(QUIET), "the old device no longer gets keys");

        // pull needs a key too
        assertEquals("e2ee_required", code(() -> bobPhone.request("call.pull", "callId", callId)));
        assertTrue(alice.quiet(QUIET) && bobTablet.quiet(QUIET));
        JsonNode pulled = bobPhone.request("call.pull", "callId", callId, "e2ee", e2ee(phoneKey));
        assertEquals(aliceKey, pulled.get("identityKey").asText());
        assertEquals(phoneKey, alice.expectEvent("call.transferred").get("identityKey").asText());
        bobPhone.request("e2ee.key", "callId", callId, "payload", "k4");
        JsonNode got = alice.expectEvent("e2ee.key");
        assertEquals("phone", got.get("from").get("device").asText());
        assertEquals("k4", got.get("payload").asText());
        assertTrue(relay.logged("allocate call-" + callId + "/callee"), relay.log::toString);
    }
}
