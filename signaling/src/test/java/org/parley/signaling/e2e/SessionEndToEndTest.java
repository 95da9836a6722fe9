package org.parley.signaling.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Base64;
import java.util.Optional;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.parley.signaling.TestServer;
import org.parley.signaling.auth.TokenIssuer;
import org.parley.signaling.client.SignalingClient;
import org.parley.signaling.client.SignalingException;

/** Sign-in, tokens, keepalive and bad input over a real WebSocket (docs/protocol.md §3, §9, §10). */
class SessionEndToEndTest {

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

    @Test
    void welcomeCarriesSessionAndIceServersWithTurnRestCredentials() throws Exception {
        start("ice.stun-urls = [\"stun:127.0.0.1:3478\"]\n"
                + "ice.turn-urls = [\"turn:127.0.0.1:3478?transport=udp\", \"turn:127.0.0.1:3478?transport=tcp\"]\n"
                + "ice.turn-secret = \"turn-shared-secret\"\nice.turn-credential-ttl = 1h");
        SignalingClient alice = server.connect();
        JsonNode w = alice.hello(server.token("alice"), "phone");
        assertEquals("welcome", w.get("type").asText());
        assertEquals(1, w.get("protocol").asInt());
        assertEquals("alice", w.get("user").asText());
        assertEquals("ALICE", w.get("displayName").asText());
        assertEquals("phone", w.get("device").asText());
        assertFalse(w.get("resumed").asBoolean());
        assertTrue(w.get("sessionId").asText().startsWith("s-"));
        assertFalse(w.get("resumeToken").asText().isEmpty());
        assertEquals(30_000, w.get("resumeGraceMs").asLong());
        assertEquals(3_600_000, w.get("pingIntervalMs").asLong());
        JsonNode ice = w.get("iceServers");
        assertEquals("stun:127.0.0.1:3478", ice.get(0).get("urls").get(0).asText());
        JsonNode turn = ice.get(1);
        assertEquals(2, turn.get("urls").size());
        String username = turn.get("username").asText();
        long expiry = server.time.instant().plus(Duration.ofHours(1)).getEpochSecond();
        assertEquals(expiry + ":alice", username);
        Mac mac = Mac.getInstance("HmacSHA1");
        mac.init(new SecretKeySpec("turn-shared-secret".getBytes(StandardCharsets.UTF_8), "HmacSHA1"));
        String expected = Base64.getEncoder().encodeToString(mac.doFinal(username.getBytes(StandardCharsets.UTF_8)));
        assertEquals(expected, turn.get("credential").asText());
        alice.close();
    }

    @Test
    void iceUrlsNameTheHostTheClientUsed() {
        start("ice.stun-urls = [\"stun:{host}:3479\"]\nice.turn-urls = [\"turn:{host}:3479?transport=udp\"]");
        SignalingClient alice = server.connect();
        JsonNode ice = alice.hello(server.token("alice"), "phone").get("iceServers");
        assertEquals("stun:127.0.0.1:3479", ice.get(0).get("urls").get(0).asText());
        assertEquals("turn:127.0.0.1:3479?transport=udp", ice.get(1).get("urls").get(0).asText());
        assertTrue(ice.get(1).get("username").asText().endsWith(":alice"));
        alice.close();
    }

    @Test
    void withoutConfiguredUrlsOrATurnServerInTheProcessNoIceServersAreOffered() {
        start("");
        SignalingClient alice = server.connect();
        JsonNode ice = alice.hello(server.token("alice"), "phone").get("iceServers");
        assertEquals(0, ice.size(), ice.toString());
        alice.close();
    }

    @Test
    void badTokenIsRefusedWithErrorAndClose4001() {
        start("");
        SignalingClient c = server.connect();
        String forged = new TokenIssuer("another-secret-another-secret-xx".getBytes(StandardCharsets.UTF_8),
                server.time).issue("alice", Optional.empty(), Optional.empty(), Optional.empty(), Duration.ofHours(1));
        SignalingException e = assertThrows(SignalingException.class, () -> c.hello(forged, "phone"));
        assertEquals("invalid_token", e.code());
        assertEquals(4001, c.awaitClose().code());
    }

    @Test
    void expiredTokenIsRefusedWithClose4002() {
        start("");
        String token = server.token("alice", Duration.ofMinutes(1));
        server.advance(Duration.ofMinutes(2));
        SignalingClient c = server.connect();
        SignalingException e = assertThrows(SignalingException.class, () -> c.hello(token, "phone"));
        assertEquals("token_expired", e.code());
        assertEquals(4002, c.awaitClose().code());
    }

    @Test
    void unsupportedProtocolVersionCloses4009() {
        start("");
        SignalingClient c = server.connect();
        SignalingException e = assertThrows(SignalingException.class,
                () -> c.request("hello", "token", server.token("a"), "device", "d", "protocol", 2));
        assertEquals("unsupported_protocol", e.code());
        assertEquals(4009, c.awaitClose().code());
    }

    @Test
    void requestsBeforeHelloAreRefusedButTheConnectionStays() {
        start("");
        SignalingClient c = server.connect();
        assertEquals("not_authenticated",
                assertThrows(SignalingException.class, () -> c.request("ping")).code());
        c.hello(server.token("alice"), "phone");
        assertTrue(c.request("ping").has("serverTime"));
        assertEquals("already_authenticated",
                assertThrows(SignalingException.class, () -> c.hello(server.token("alice"), "phone")).code());
        c.close();
    }

    @Test
    void noHelloInTimeCloses4003() {
        start("hello-timeout = 5s");
        SignalingClient c = server.connect();
        assertTrue(c.quiet(Duration.ofMillis(100)));
        server.advance(Duration.ofSeconds(6));
        assertEquals(4003, c.awaitClose().code());
    }

    @Test
    void silentConnectionIsClosedAfterTwoPingIntervals() {
        start("ping-interval = 10s");
        SignalingClient c = server.signIn("alice", "phone");
        server.advance(Duration.ofSeconds(15));
        c.request("ping");
        server.advance(Duration.ofSeconds(15));
        assertFalse(c.closed().isDone(), "a ping 15 s ago keeps the connection");
        server.advance(Duration.ofSeconds(10));
        assertEquals(4005, c.awaitClose().code());
    }

    @Test
    void malformedInputGetsTypedErrors() {
        start("");
        SignalingClient c = server.signIn("alice", "phone");
        c.sendRaw("{not json");
        assertEquals("malformed_json", c.nextEvent().get("code").asText());
        c.sendRaw("[1,2,3]");
        assertEquals("malformed_message", c.nextEvent().get("code").asText());
        c.sendRaw("{\"type\":\"ping\",\"id\":{\"x\":1}}");
        JsonNode badId = c.nextEvent();
        assertEquals("malformed_message", badId.get("code").asText());
        assertFalse(badId.has("id"));
        c.sendRaw("{\"id\":\"n1\"}");
        JsonNode noType = c.nextEvent();
        assertEquals("unknown_type", noType.get("code").asText());
        assertEquals("n1", noType.get("id").asText());
        assertEquals("unknown_type", assertThrows(SignalingException.class, () -> c.request("call.teleport")).code());
        SignalingException missing = assertThrows(SignalingException.class, () -> c.request("call.invite", "media", "audio"));
        assertEquals("missing_field", missing.code());
        assertTrue(missing.getMessage().contains("'to'"));
        assertEquals("invalid_field", assertThrows(SignalingException.class,
                () -> c.request("call.invite", "to", "bob", "media", "hologram")).code());
        assertEquals("invalid_field", assertThrows(SignalingException.class,
                () -> c.request("call.invite", "to", 42, "media", "audio")).code());
        c.sendRaw("{\"type\":\"ping\"}");
        assertEquals("missing_field", c.nextEvent().get("code").asText());
        assertTrue(server.count("parley.signaling.errors", "code", "malformed_json") >= 1);
        c.close();
    }

    @Test
    void integerIdsAreEchoed() {
        start("");
        SignalingClient c = server.signIn("alice", "phone");
        c.sendRaw("{\"type\":\"ping\",\"id\":12345}");
        JsonNode r = c.nextEvent();
        assertEquals("result", r.get("type").asText());
        assertTrue(r.get("id").isIntegralNumber());
        assertEquals(12345, r.get("id").asLong());
        c.close();
    }

    @Test
    void refreshKeepsTheSessionAndRefusesAnotherUsersToken() {
        start("");
        SignalingClient c = server.connect();
        c.hello(server.token("alice", Duration.ofMinutes(5)), "phone");
        JsonNode r = c.request("refresh", "token", server.token("alice", Duration.ofHours(2)));
        assertEquals(server.time.instant().plus(Duration.ofHours(2)).toEpochMilli(), r.get("tokenExpiresAt").asLong());
        assertTrue(r.get("iceServers").isArray());
        assertEquals("token_mismatch", assertThrows(SignalingException.class,
                () -> c.request("refresh", "token", server.token("mallory"))).code());
        assertEquals("invalid_token", assertThrows(SignalingException.class,
                () -> c.request("refresh", "token", "x.y.z")).code());
        server.advance(Duration.ofMinutes(10));
        assertTrue(c.request("ping").has("serverTime"), "the refreshed token keeps the connection open");
        c.close();
    }

    @Test
    void tokenExpiryIsAnnouncedThenClosesWith4002() {
        start("token-refresh-warning = 60s");
        SignalingClient c = server.connect();
        c.hello(server.token("alice", Duration.ofMinutes(5)), "phone");
        server.advance(Duration.ofMinutes(4).plusSeconds(1));
        JsonNode warn = c.expectEvent("session.token_expiring");
        assertEquals(server.time.instant().plusSeconds(59).toEpochMilli(), warn.get("expiresAt").asLong());
        server.advance(Duration.ofMinutes(1));
        assertEquals(4002, c.awaitClose().code());
    }

    @Test
    void floodGetsRateLimitedThenClosed4008() {
        start("rate-limit.burst = 5\nrate-limit.messages-per-second = 1");
        SignalingClient c = server.signIn("alice", "phone");
        for (int i = 0; i < 4; i++) {
            c.request("ping");
        }
        assertEquals("rate_limited", assertThrows(SignalingException.class, () -> c.request("ping")).code());
        for (int i = 0; i < 10; i++) {
            c.sendRaw("{\"type\":\"ping\",\"id\":" + i + "}");
        }
        assertEquals(4008, c.awaitClose().code());
        assertTrue(server.count("parley.signaling.errors", "code", "rate_limited") >= 1);
    }

    @Test
    void oversizedMessageCloses1009() {
        start("max-frame-bytes = 2048");
        SignalingClient c = server.signIn("alice", "phone");
        c.sendRaw("{\"type\":\"ping\",\"id\":\"x\",\"pad\":\"" + "a".repeat(4000) + "\"}");
        assertEquals(1009, c.awaitClose().code());
    }

    @Test
    void byeClosesNormallyAndSecondDeviceSignInReplacesTheFirst() {
        start("");
        SignalingClient first = server.signIn("alice", "phone");
        SignalingClient second = server.signIn("alice", "phone");
        assertEquals(4004, first.awaitClose().code());
        assertNotEquals(first.sessionId(), second.sessionId());
        second.request("bye");
        assertEquals(1000, second.awaitClose().code());
    }
}
