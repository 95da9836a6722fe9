package org.parley.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.net.InetAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.parley.relay.client.ReceivedPacket;
import org.parley.relay.client.RelayTestClient;
import org.parley.signaling.auth.TokenIssuer;
import org.parley.signaling.client.SignalingClient;
import org.parley.signaling.client.SignalingException;

/**
 * Parley behind a real nginx that terminates HTTPS with a test CA's certificate, configured as
 * docs/operations.md says: the web app and a one-to-one call placed over WSS through the proxy,
 * with audio and video carried by the relay, which clients reach directly (a proxy cannot carry
 * it). The relay's Java client stands in for the browsers' WebRTC stack.
 */
class NginxProxyIT {

    private static final String SECRET = "nginx-proxy-test-secret-of-32-chars!!";
    private static final Duration WAIT = Duration.ofSeconds(30);

    @TempDir
    Path dir;

    @Test
    void callOverWssThroughNginxCarriesMediaThroughTheRelay() throws Exception {
        TestPki pki = new TestPki();
        Path cert = dir.resolve("nginx/fullchain.pem");
        Path key = dir.resolve("nginx/privkey.pem");
        pki.write(pki.issue(11, false), cert, key, TestPki.KeyFormat.PKCS8);
        List<String> jvm = new ArrayList<>(ServerProcess.loopbackFreePorts());
        jvm.addAll(List.of("-Dparley.auth.secret=" + SECRET, "-Dparley.turn.enabled=false",
                "-Dparley.signaling.calls.media=relay", "-Dparley.http.trusted-proxies=127.0.0.1"));
        try (ServerProcess server = ServerProcess.start(dir, jvm);
                Nginx nginx = Nginx.start(dir.resolve("nginx"), cert, key, server.port("http", "tcp"), WAIT)) {
            HttpClient https = HttpClient.newBuilder().sslContext(pki.clientContext()).connectTimeout(WAIT).build();
            String origin = "https://127.0.0.1:" + nginx.port();
            HttpResponse<String> page = https.send(HttpRequest.newBuilder(URI.create(origin + "/")).timeout(WAIT).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertEquals(200, page.statusCode(), nginx.output());
            assertTrue(page.body().contains("<html"), page.body());

            URI ws = URI.create("wss://127.0.0.1:" + nginx.port() + "/ws");
            try (SignalingClient alice = SignalingClient.connect(https, ws, WAIT).timeout(WAIT);
                    SignalingClient bob = SignalingClient.connect(https, ws, WAIT).timeout(WAIT);
                    RelayTestClient aliceMedia = new RelayTestClient("alice", InetAddress.getLoopbackAddress());
                    RelayTestClient bobMedia = new RelayTestClient("bob", InetAddress.getLoopbackAddress())) {
                alice.hello(token("alice"), "laptop");
                bob.hello(token("bob"), "phone");

                String callId = alice.request("call.invite", "to", "bob", "media", "video").path("callId").asText();
                assertEquals(callId, bob.awaitEvent("call.incoming").path("callId").asText());
                bob.request("call.accept", "callId", callId);
                assertEquals(callId, alice.awaitEvent("call.accepted").path("callId").asText());
                alice.request("call.connected", "callId", callId);
                bob.awaitEvent("call.connected");

                try (Party a = new Party(alice, aliceMedia, callId); Party b = new Party(bob, bobMedia, callId)) {
                    a.publish();
                    b.publish();
                    // Each hears and sees the other: both the Opus and the VP8 stream arrive.
                    long deadline = System.nanoTime() + WAIT.multipliedBy(2).toNanos();
                    while ((a.kindsReceived() < 2 || b.kindsReceived() < 2) && System.nanoTime() < deadline) {
                        a.sendAndReceive();
                        b.sendAndReceive();
                        Thread.sleep(20);
                    }
                    assertEquals(2, a.kindsReceived(), "alice receives bob's audio and video: " + a.payloadTypes);
                    assertEquals(2, b.kindsReceived(), "bob receives alice's audio and video: " + b.payloadTypes);
                }

                alice.request("call.hangup", "callId", callId);
                JsonNode ended = bob.awaitEvent("call.ended");
                assertEquals("hangup", ended.path("reason").asText());
            }
            assertEquals(0, server.terminate(WAIT), server.output());
        }
    }

    private static String token(String user) {
        return new TokenIssuer(SECRET.getBytes(StandardCharsets.UTF_8), Clock.systemUTC())
                .issue(user, Optional.empty(), Optional.empty(), Optional.empty(), Duration.ofMinutes(5));
    }

    /**
     * One side of the call's media: publishes through the relay in the call's context, answers
     * the relay's subscriber offers (on a thread of its own, as they come) and notes the payload
     * types it receives.
     */
    private static final class Party implements AutoCloseable {
        private final SignalingClient signaling;
        private final RelayTestClient media;
        private final String callId;
        private final Set<Integer> payloadTypes = ConcurrentHashMap.newKeySet();
        private final Thread offers;
        private volatile boolean open = true;
        private final byte[] payload = new byte[200];

        Party(SignalingClient signaling, RelayTestClient media, String callId) {
            this.signaling = signaling;
            this.media = media;
            this.callId = callId;
            this.offers = new Thread(this::answerOffers, "offers-" + media.name());
            offers.setDaemon(true);
            offers.start();
        }

        void publish() {
            JsonNode answer = signaling.request("relay.offer", "callId", callId, "sdp", media.publisherOffer());
            media.acceptPublisherAnswer(answer.path("sdp").asText());
        }

        void sendAndReceive() throws InterruptedException {
            if (media.isPublisherConnected()) {
                media.sendAudio(payload, 30);
                media.sendVideoFrame(payload);
            }
            for (ReceivedPacket p = media.poll(0); p != null; p = media.poll(0)) {
                payloadTypes.add(p.payloadType());
            }
        }

        /** 0, 1 or 2: whether Opus (111) and VP8 (96), the payload types the relay offers subscribers, arrived. */
        int kindsReceived() {
            return (payloadTypes.contains(111) ? 1 : 0) + (payloadTypes.contains(96) ? 1 : 0);
        }

        private void answerOffers() {
            while (open) {
                JsonNode e;
                try {
                    e = signaling.nextEvent(Duration.ofMillis(100));
                } catch (SignalingException timeout) {
                    continue;
                }
                if ("relay.offer".equals(e.path("type").asText())) {
                    signaling.send("relay.answer", "callId", callId, "sdp", media.answerSubscriberOffer(e.path("sdp").asText()));
                }
            }
        }

        @Override
        public void close() throws InterruptedException {
            open = false;
            offers.join(WAIT.toMillis());
        }
    }
}
