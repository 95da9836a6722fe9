package org.parley.relay.client;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.parley.relay.RelayMetrics;

/**
 * One publisher's video to several Java receivers through the real relay and its shared UDP port:
 * every receiver gets every packet whole and in order, and the copies of one packet leave the
 * relay together (one sendmmsg per fan-out, FanOutBatch) rather than one system call each.
 */
class FanOutBatchingTest {

    private static final int RECEIVERS = 6;
    private static final int FRAMES = 40;

    @Test
    @Timeout(90)
    void theCopiesOfOnePacketLeaveInOneSystemCallAndAllArrive() throws Exception {
        try (RelayHarness h = new RelayHarness()) {
            RelayTestClient alice = h.join("alice", true);
            List<RelayTestClient> receivers = new ArrayList<>();
            for (int i = 0; i < RECEIVERS; i++) {
                receivers.add(h.join("receiver" + i, false));
            }
            h.await(() -> alice.isPublisherConnected() && receivers.stream().allMatch(RelayTestClient::isSubscriberConnected),
                    30_000, "clients did not connect");
            // Until every receiver has video (each starts at a keyframe, which the relay asks for).
            long deadline = System.nanoTime() + 30_000_000_000L;
            List<RelayTestClient> waiting = new ArrayList<>(receivers);
            while (!waiting.isEmpty()) {
                assertTrue(System.nanoTime() < deadline, waiting.size() + " receivers got no video within 30 s");
                alice.sendVideoFrame("warm-up".getBytes(StandardCharsets.US_ASCII));
                waiting.removeIf(r -> pollQuietly(r, 50) != null);
            }
            for (RelayTestClient r : receivers) {
                while (r.poll(300) != null) {
                    // the warm-up frames still on their way
                }
            }
            RelayMetrics metrics = h.relay().metrics();
            double callsBefore = metrics.fanOutSendCalls.count();
            double outBefore = metrics.videoPacketsOut.count();

            for (int i = 0; i < FRAMES; i++) {
                alice.sendVideoFrame(("frame " + i).getBytes(StandardCharsets.US_ASCII));
                Thread.sleep(5);
            }
            for (RelayTestClient r : receivers) {
                List<String> got = new ArrayList<>();
                ReceivedPacket p;
                while (got.size() < FRAMES && (p = r.poll(5000)) != null) {
                    got.add(new String(p.payload(), StandardCharsets.US_ASCII));
                }
                assertEquals(FRAMES, got.size(), "every frame reaches " + got);
                for (int i = 0; i < FRAMES; i++) {
                    // The payload starts with the VP8 descriptor and header the client wrote.
                    assertTrue(got.get(i).endsWith("frame " + i), "frame " + i + " whole and in order, got " + got.get(i));
                }
            }
            double calls = metrics.fanOutSendCalls.count() - callsBefore;
            double out = metrics.videoPacketsOut.count() - outBefore;
            assertEquals(FRAMES * RECEIVERS, out, "video packets the relay sent");
            // One call per packet's fan-out: 40, a few more if RTCP shared the thread; one per copy was 240.
            assertTrue(calls > 0 && out / calls >= RECEIVERS / 2.0,
                    "datagrams per system call: " + out + " in " + calls + " calls");
        }
    }

    private static ReceivedPacket pollQuietly(RelayTestClient r, long millis) {
        try {
            return r.poll(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return null;
        }
    }
}
