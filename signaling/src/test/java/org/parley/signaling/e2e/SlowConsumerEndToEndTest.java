package org.parley.signaling.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.Optional;
import org.junit.jupiter.api.Test;
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
                Optional.empty()); Socket stuck = new Socket()) {
            stuck.setReceiveBufferSize(4096);
            stuck.connect(new java.net.InetSocketAddress("127.0.0.1", server.uri().getPort()));
            OutputStream out = stuck.getOutputStream();
            InputStream in = stuck.getInputStream();
            handshake(out, in);
            sendText(out, "{\"type\":\"hello\",\"id\":\"h\",\"token\":\"" + server.token("bob")
                    + "\",\"device\":\"laptop\"}");
            String welcome = readFrame(new DataInputStream(in)).text;
            String resumeToken = welcome.replaceAll(".*\"resumeToken\":\"([^\"]+)\".*", "$1");

            SignalingClient alice = server.signIn("alice", "phone").timeout(java.time.Duration.ofSeconds(60));
            String callId = alice.request("call.invite", "to", "bob", "media", "video").get("callId").asText();
            sendText(out, "{\"type\":\"call.accept\",\"id\":\"a\",\"callId\":\"" + callId + "\"}");
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
            DataInputStream data = new DataInputStream(in);
            int closeCode = -1;
            for (int i = 0; i < offers + 10; i++) {
                Frame f = readFrame(data);
                if (f.opcode == 8) {
                    closeCode = f.closeCode;
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

    private static void handshake(OutputStream out, InputStream in) throws IOException {
        String key = Base64.getEncoder().encodeToString("parley-test-key!".getBytes(StandardCharsets.US_ASCII));
        out.write(("GET /ws HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
                + "Sec-WebSocket-Key: " + key + "\r\nSec-WebSocket-Version: 13\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
        out.flush();
        ByteArrayOutputStream head = new ByteArrayOutputStream();
        while (!head.toString(StandardCharsets.US_ASCII).endsWith("\r\n\r\n")) {
            int b = in.read();
            if (b < 0) {
                throw new IOException("closed during handshake");
            }
            head.write(b);
        }
        assertTrue(head.toString(StandardCharsets.US_ASCII).startsWith("HTTP/1.1 101"));
    }

    /** A masked text frame, as RFC 6455 §5.3 requires from clients. */
    private static void sendText(OutputStream out, String text) throws IOException {
        byte[] payload = text.getBytes(StandardCharsets.UTF_8);
        ByteArrayOutputStream f = new ByteArrayOutputStream();
        f.write(0x81);
        if (payload.length < 126) {
            f.write(0x80 | payload.length);
        } else {
            f.write(0x80 | 126);
            f.write(payload.length >> 8);
            f.write(payload.length);
        }
        byte[] mask = {1, 2, 3, 4};
        f.write(mask);
        for (int i = 0; i < payload.length; i++) {
            f.write(payload[i] ^ mask[i % 4]);
        }
        out.write(f.toByteArray());
        out.flush();
    }

    private record Frame(int opcode, String text, int closeCode) {
    }

    private static Frame readFrame(DataInputStream in) throws IOException {
        int b0 = in.readUnsignedByte();
        int b1 = in.readUnsignedByte();
        long len = b1 & 0x7f;
        if (len == 126) {
            len = in.readUnsignedShort();
        } else if (len == 127) {
            len = in.readLong();
        }
        byte[] payload = new byte[(int) len];
        in.readFully(payload);
        int opcode = b0 & 0x0f;
        int code = opcode == 8 && len >= 2 ? ((payload[0] & 0xff) << 8) | (payload[1] & 0xff) : -1;
        return new Frame(opcode, new String(payload, StandardCharsets.UTF_8), code);
    }
}
