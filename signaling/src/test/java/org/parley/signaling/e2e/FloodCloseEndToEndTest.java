package org.parley.signaling.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;
import org.parley.signaling.RawWebSocket;
import org.parley.signaling.TestServer;

/**
 * A client that floods its socket and only then reads, over a real socket: every flood ends with
 * the 4008 close frame (not a TCP reset that destroys it), and every request the server admitted
 * before the limit got exactly one reply or error before that close frame.
 */
class FloodCloseEndToEndTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final int FLOODS = 30;
    private static final int FRAMES_PER_FLOOD = 2_000;
    private static final int BURST = 20;

    @Test
    void everyFloodGetsTheRepliesOfAdmittedRequestsThenThe4008CloseFrame() throws Exception {
        // Test time stands still, so the bucket does not refill: BURST messages pass, then refusals.
        try (TestServer server = new TestServer("rate-limit.burst = " + BURST + "\nrate-limit.messages-per-second = 1",
                Optional.empty())) {
            byte[] flood = floodOfPings();
            for (int round = 0; round < FLOODS; round++) {
                try (RawWebSocket ws = RawWebSocket.connect(server.uri().getPort()).upgrade()) {
                    ws.socket().setSoTimeout(30_000);
                    ws.sendText("{\"type\":\"hello\",\"id\":\"h\",\"token\":\"" + server.token("alice")
                            + "\",\"device\":\"d" + round + "\"}");
                    assertEquals("welcome", JSON.readTree(ws.read().text()).get("type").asText());

                    ws.write(flood);
                    Map<Integer, Integer> repliesById = new TreeMap<>();
                    int closeCode = readUntilClose(ws, repliesById, round);

                    assertEquals(4008, closeCode, "flood " + round + " ended with the rate_limited close");
                    int answered = repliesById.size();
                    assertTrue(answered >= BURST, "flood " + round + ": admitted requests were answered: " + repliesById);
                    for (int id = 1; id <= answered; id++) {
                        assertEquals(1, repliesById.getOrDefault(id, 0),
                                "flood " + round + ": request " + id + " answered exactly once: " + repliesById);
                    }
                }
            }
        }
    }

    private static byte[] floodOfPings() throws IOException {
        ByteArrayOutputStream all = new ByteArrayOutputStream();
        for (int id = 1; id <= FRAMES_PER_FLOOD; id++) {
            all.write(RawWebSocket.textFrame("{\"type\":\"ping\",\"id\":" + id + "}"));
        }
        return all.toByteArray();
    }

    /** Counts replies by request id until the close frame; returns its code. */
    private static int readUntilClose(RawWebSocket ws, Map<Integer, Integer> repliesById, int round) {
        try {
            while (true) {
                RawWebSocket.Frame f = ws.read();
                if (f.isClose()) {
                    return f.closeCode();
                }
                JsonNode m = JSON.readTree(f.text());
                if (m.has("id")) {
                    repliesById.merge(m.get("id").asInt(), 1, Integer::sum);
                }
            }
        } catch (IOException e) {
            throw new AssertionError("flood " + round + ": the connection ended without a close frame after "
                    + repliesById.size() + " replies: " + e, e);
        }
    }
}
