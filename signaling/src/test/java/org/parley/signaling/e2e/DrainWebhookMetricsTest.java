package org.parley.signaling.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpServer;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.parley.signaling.FakeRelay;
import org.parley.signaling.TestServer;
import org.parley.signaling.client.SignalingClient;
import org.parley.signaling.client.SignalingException;

/** Draining (§8), the offline-callee webhook (§7) and the parley_signaling_* meters. */
class DrainWebhookMetricsTest {

    private TestServer server;
    private HttpServer hook;

    @AfterEach
    void stop() {
        if (server != null) {
            server.close();
        }
        if (hook != null) {
            hook.stop(0);
        }
    }

    @Test
    void drainingRefusesNewCallsButLiveOnesGoOn() {
        server = new TestServer("", Optional.of(new FakeRelay()));
        SignalingClient alice = server.signIn("alice", "phone");
        SignalingClient bob = server.signIn("bob", "phone");
        String callId = alice.request("call.invite", "to", "bob", "media", "audio").get("callId").asText();
        bob.expectEvent("call.incoming");
        bob.request("call.accept", "callId", callId);
        alice.request("room.create", "roomId", "r-kept");
        alice.request("room.join", "roomId", "r-kept");
        assertEquals(2, server.signaling.liveCalls(), "one call and one occupied room");

        server.signaling.drain();
        assertEquals("draining", assertThrows(SignalingException.class,
                () -> bob.request("call.invite", "to", "carol", "media", "audio")).code());
        assertEquals("draining", assertThrows(SignalingException.class,
                () -> bob.request("room.create")).code());
        assertEquals("draining", assertThrows(SignalingException.class,
                () -> alice.request("call.add", "callId", callId, "user", "carol")).code());
        alice.request("call.offer", "callId", callId, "sdp", "still working");
        assertEquals("still working", bob.awaitEvent("call.offer").get("sdp").asText());
        alice.request("call.hangup", "callId", callId);
        alice.request("room.leave", "roomId", "r-kept");
        assertEquals(0, server.signaling.liveCalls());
    }

    @Test
    void offlineCalleeTriggersTheWebhookAndRingsWhenADeviceSignsIn() throws Exception {
        LinkedBlockingQueue<JsonNode> posts = new LinkedBlockingQueue<>();
        hook = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        hook.createContext("/push", exchange -> {
            try (exchange) {
                if (exchange.getRequestMethod().equals("POST")
                        && exchange.getRequestHeaders().getFirst("Content-Type").equals("application/json")) {
                    posts.add(new ObjectMapper().readTree(exchange.getRequestBody()));
                }
                exchange.sendResponseHeaders(204, -1);
            }
        });
        hook.start();
        server = new TestServer("webhook.url = \"http://127.0.0.1:" + hook.getAddress().getPort() + "/push\"\n"
                + "calls.ring-timeout = 30s", Optional.empty());
        SignalingClient alice = server.signIn("alice", "phone");
        String callId = alice.request("call.invite", "to", "bob", "media", "video").get("callId").asText();
        JsonNode post = posts.poll(5, TimeUnit.SECONDS);
        assertNotNull(post, "the webhook was called");
        assertEquals("incoming_call", post.get("event").asText());
        assertEquals("bob", post.get("user").asText());
        assertEquals(callId, post.get("callId").asText());
        assertEquals("alice", post.get("from").get("user").asText());
        assertEquals(server.time.instant().plusSeconds(30).toEpochMilli(), post.get("expiresAt").asLong());
        assertEquals(0, post.get("connectedDevices").size());
        assertTrue(alice.quiet(Duration.ofMillis(150)), "nothing rings yet");

        server.advance(Duration.ofSeconds(10));
        SignalingClient bob = server.signIn("bob", "phone");
        JsonNode incoming = bob.expectEvent("call.incoming");
        assertEquals(callId, incoming.get("callId").asText());
        assertEquals(1, alice.expectEvent("call.ringing").get("devices").asInt());
        bob.request("call.accept", "callId", callId);
        alice.expectEvent("call.accepted");
        assertTrue(waitFor(() -> server.count("parley.signaling.webhook", "result", "delivered") == 1));
    }

    @Test
    void webhookWakesTheSleepingPhoneWhileTheLaptopAlreadyRings() throws Exception {
        LinkedBlockingQueue<JsonNode> posts = new LinkedBlockingQueue<>();
        hook = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        hook.createContext("/push", exchange -> {
            try (exchange) {
                posts.add(new ObjectMapper().readTree(exchange.getRequestBody()));
                exchange.sendResponseHeaders(204, -1);
            }
        });
        hook.start();
        server = new TestServer("webhook.url = \"http://127.0.0.1:" + hook.getAddress().getPort() + "/push\"\n"
                + "calls.ring-timeout = 30s", Optional.empty());
        SignalingClient alice = server.signIn("alice", "phone");
        SignalingClient laptop = server.signIn("bob", "laptop");
        String callId = alice.request("call.invite", "to", "bob", "media", "audio").get("callId").asText();
        laptop.expectEvent("call.incoming");
        assertEquals(1, alice.expectEvent("call.ringing").get("devices").asInt());
        JsonNode post = posts.poll(5, TimeUnit.SECONDS);
        assertNotNull(post, "the webhook was called although a device is online");
        assertEquals("laptop", post.get("connectedDevices").get(0).asText());
        assertEquals(1, post.get("connectedDevices").size());

        server.advance(Duration.ofSeconds(5));
        SignalingClient phone = server.signIn("bob", "phone");
        assertEquals(callId, phone.expectEvent("call.incoming").get("callId").asText());
        phone.request("call.accept", "callId", callId);
        assertEquals("answered_elsewhere", laptop.expectEvent("call.ended").get("reason").asText());
        alice.expectEvent("call.accepted");
    }

    @Test
    void unansweredPushedCallEndsUnavailable() throws Exception {
        hook = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        hook.createContext("/push", exchange -> {
            try (exchange) {
                exchange.sendResponseHeaders(500, -1);
            }
        });
        hook.start();
        server = new TestServer("webhook.url = \"http://127.0.0.1:" + hook.getAddress().getPort() + "/push\"\n"
                + "calls.ring-timeout = 30s", Optional.empty());
        SignalingClient alice = server.signIn("alice", "phone");
        alice.request("call.invite", "to", "bob", "media", "audio");
        assertTrue(waitFor(() -> server.count("parley.signaling.webhook", "result", "failed") == 1));
        server.advance(Duration.ofSeconds(31));
        assertEquals("unavailable", alice.expectEvent("call.ended").get("reason").asText());
    }

    @Test
    void metricsCountConnectionsMessagesOutcomesAndSetupTimes() {
        server = new TestServer("", Optional.empty());
        SignalingClient alice = server.signIn("alice", "phone");
        SignalingClient bob = server.signIn("bob", "phone");
        assertTrue(waitFor(() -> server.registry.get("parley.signaling.connections").gauge().value() == 2));
        String callId = alice.request("call.invite", "to", "bob", "media", "audio").get("callId").asText();
        bob.expectEvent("call.incoming");
        bob.request("call.accept", "callId", callId);
        server.advance(Duration.ofMillis(250));
        bob.request("call.connected", "callId", callId);
        bob.request("call.hangup", "callId", callId);
        assertEquals(1, server.count("parley.signaling.messages", "type", "call.invite"));
        assertEquals(1, server.count("parley.signaling.calls", "outcome", "hangup"));
        var setup = server.registry.get("parley.signaling.call.setup").tag("phase", "accept_to_connected").timer();
        assertEquals(1, setup.count());
        assertEquals(250, setup.totalTime(TimeUnit.MILLISECONDS), 0.001);
        assertEquals(1, server.registry.get("parley.signaling.call.setup").tag("phase", "invite_to_ringing")
                .timer().count());
        alice.sendRaw("{\"type\":\"no.such\",\"id\":1}");
        alice.awaitEvent("error");
        assertEquals(1, server.count("parley.signaling.messages", "type", "unknown"));
        assertEquals(1, server.count("parley.signaling.errors", "code", "unknown_type"));
        alice.close();
        assertTrue(waitFor(() -> server.registry.get("parley.signaling.connections").gauge().value() == 1));
    }

    private static boolean waitFor(java.util.function.BooleanSupplier condition) {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        while (System.nanoTime() < deadline) {
            if (condition.getAsBoolean()) {
                return true;
            }
            try {
                Thread.sleep(10);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return false;
            }
        }
        return false;
    }
}
