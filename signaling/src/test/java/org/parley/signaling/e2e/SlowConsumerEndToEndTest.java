package org.parley.signaling.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.parley.signaling.RawWebSocket;
import org.parley.signaling.TestServer;
import org.parley.signaling.client.SignalingClient;

/**
 * A client that stops reading is cut off with 4010 instead of making the server buffer without
 * bound, and loses nothing: it resumes and gets every event. The stuck client is a raw socket
 * speaking RFC 6455 by hand, so that it can really stop reading.
 */
class SlowConsumerEndToEndTest {

    @Test
    void stuckClientIsClosedWith4010AndResumesWithoutLoss() throws Exception {
        try (TestServer server = new TestServer("rate-limit.burst = 100000\nmax-unacked-events = 1000",
                Optional.empty()); RawWebSocket stuck = RawWebSocket.connect(server.uri().getPort(), 4096)) {
            stuck.upgrade();
            stuck.sendText("{\"type\":\"hello\",\"id\":\"h\",\"token\":\"" + server.token("bob")
                    + "\",\"device\":\"laptop\"}");
            String welcome = stuck.read().text();
            String resumeToken = welcome.replaceAll(".*\"resumeToken\":\"([^\"]+)\".*", "$1");

            SignalingClient alice = server.signIn("alice", "phone").timeout(java.time.Duration.ofSeconds(60));
            String callId = alice.request("call.invite", "to", "bob", "media", "video").get("callId").asText();
            stuck.sendText("{\"type\":\"call.accept\",\"id\":\"a\",\"callId\":\"" + callId + "\"}");
            alice.awaitEvent("call.accepted");
            String sdp = "x".repeat(60_000);
            int offers = 90;
            for (int i = 0; i < offers - 1; i++) {
                alice.send("call.offer", "callId", callId, "sdp", sdp + i);
            }
            alice.request("ping");
            server.advance(java.time.Duration.ofSeconds(11));
            // the next event finds the socket stalled for over 10 s
            alice.request("call.offer", "callId", callId, "sdp", sdp + (offers - 1));

            // now read what the server queued: frames, then a close frame with 4010
            int closeCode = -1;
            for (int i = 0; i < offers + 10; i++) {
                RawWebSocket.Frame f = stuck.read();
                if (f.isClose()) {
                    closeCode = f.closeCode();
                    break;
                }
            }
            assertEquals(4010, closeCode);
            assertTrue(alice.request("ping").has("serverTime"), "the other party is unaffected");

            SignalingClient back = server.connect().timeout(java.time.Duration.ofSeconds(30));
            back.resume(server.token("bob"), "laptop", resumeToken, 1);
            for (int i = 0; i < offers; i++) {
                assertEquals(sdp + i, back.awaitEvent("call.offer").get("sdp").asText());
            }
            assertEquals(0, back.duplicates());
        }
    }
}
