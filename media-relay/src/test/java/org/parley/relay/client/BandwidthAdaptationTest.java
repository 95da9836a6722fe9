package org.parley.relay.client;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.parley.relay.control.ConferenceStats.ForwardedStreamStats;
import org.parley.relay.control.SourceKind;

/**
 * The receiver's downlink estimate drives its layer (docs/relay.md, "How the estimate drives
 * allocation"), through real ICE, DTLS and SRTP: a Java camera publishes three simulcast layers at
 * about 120 kbit/s, 500 kbit/s and 1.2 Mbit/s; a receiver sending transport-wide feedback as
 * Chromium does is moved to the lowest layer when its downlink is capped at 400 kbit/s (a token
 * bucket that drops what exceeds it), and back to the highest once the cap is lifted, which only
 * probing can find out (a receiver on 120 kbit/s acknowledges too little for the estimate to
 * climb on its own).
 */
class BandwidthAdaptationTest {

    private static final long CAP_BPS = 400_000;
    /** Generous for a loaded 2-core CI machine; the timing goals are measured in Chromium (docs/e2e.md). */
    private static final long WAIT_MS = 40_000;
    /** Packets per frame of each layer and their payload bytes, ~30 frames/s: 0.12 / 0.5 / 1.2 Mbit/s. */
    private static final int[] PACKETS = {1, 2, 5};
    private static final int[] BYTES = {500, 1000, 1000};

    @Test
    @Timeout(180)
    void aCappedReceiverIsMovedToTheLowLayerAndBackUpWhenTheCapLifts() throws Exception {
        ScheduledExecutorService time = Executors.newSingleThreadScheduledExecutor();
        try (RelayHarness h = new RelayHarness(); Camera camera = new Camera()) {
            // The harness's relay clock stands still unless moved; the allocator's hold and the
            // probes' waits run on it, so here it follows the wall clock.
            time.scheduleAtFixedRate(() -> h.clock().advance(100), 100, 100, TimeUnit.MILLISECONDS);
            RelayTestClient alice = h.join("alice", c -> c.publisherOfferWithSimulcast(true));
            RelayTestClient bob = h.join("bob", (java.util.function.Function<RelayTestClient, String>) null);
            h.await(() -> alice.isPublisherConnected() && bob.isSubscriberConnected(), WAIT_MS, "clients did not connect");
            camera.start(alice.simulcast());
            Layers got = new Layers(bob);

            // Uncapped: the receiver ends up on the highest layer (from the 1 Mbit/s initial
            // estimate, below that layer's cost, a probe has to show the room first).
            awaitLayer(h, got, 2, "uncapped");
            assertTrue(bob.twccFeedbackSent() > 0, "bob sends transport-wide feedback");

            bob.capReceiveBandwidth(CAP_BPS);
            awaitLayer(h, got, 0, "capped at " + CAP_BPS / 1000 + " kbit/s");
            assertTrue(bob.packetsDroppedByCap() > 0, "the cap bit before the relay adapted");
            // It stays there: the probes that look for room find none behind the cap.
            long low = got.count(0);
            h.await(() -> got.count(0) > low + 150, WAIT_MS, "the low layer keeps coming: " + got);
            assertTrue(stats(h).targetLayer() == 0, "still on the low layer behind the cap: " + stats(h));

            bob.capReceiveBandwidth(0);
            awaitLayer(h, got, 2, "after the cap lifted");
        } finally {
            time.shutdownNow();
        }
    }

    private static ForwardedStreamStats stats(RelayHarness h) {
        return h.control().stats(RelayHarness.CONFERENCE).endpoints().stream()
                .filter(e -> e.endpointId().equals("bob")).findFirst().orElseThrow().forwarded().stream()
                .filter(f -> f.sourceEndpointId().equals("alice") && f.kind() == SourceKind.VIDEO).findFirst()
                .orElseThrow();
    }

    /** Until the relay forwards {@code layer} and bob's last packets are of it. */
    private static void awaitLayer(RelayHarness h, Layers got, int layer, String when) throws Exception {
        h.await(() -> stats(h).currentLayer() == layer && got.last() == layer, WAIT_MS,
                "bob never got layer " + layer + " " + when + ": " + stats(h) + ", estimate "
                        + DownlinkEstimateTest.estimate(h, "bob") + ", received " + got);
    }

    /** Sends each layer's frame packets every 30 ms until closed (pacing a camera, not synchronisation). */
    private static final class Camera implements AutoCloseable {
        private final AtomicBoolean running = new AtomicBoolean(true);
        private Thread thread;

        void start(SimulcastCamera camera) {
            thread = new Thread(() -> {
                int n = 0;
                while (running.get()) {
                    for (int layer = 0; layer < PACKETS.length; layer++) {
                        byte[] text = ("L" + layer + " " + n + " ").getBytes(StandardCharsets.US_ASCII);
                        byte[] payload = Arrays.copyOf(text, BYTES[layer]);
                        for (int p = 0; p < PACKETS[layer]; p++) {
                            camera.sendFrame(layer, payload);
                        }
                    }
                    n++;
                    try {
                        Thread.sleep(30);
                    } catch (InterruptedException e) {
                        return;
                    }
                }
            }, "simulcast-camera");
            thread.start();
        }

        @Override
        public void close() throws InterruptedException {
            running.set(false);
            if (thread != null) {
                thread.join(5000);
            }
        }
    }

    /** Which layer bob's camera packets are of: a count per layer and the last one's. */
    private static final class Layers {
        private final AtomicInteger[] counts = {new AtomicInteger(), new AtomicInteger(), new AtomicInteger()};
        private volatile int last = -1;

        Layers(RelayTestClient bob) {
            Thread t = new Thread(() -> {
                try {
                    ReceivedPacket p;
                    while ((p = bob.poll(60_000)) != null) {
                        if (p.payloadType() == ClientSdp.VP8_PT && p.frame().length > 4) {
                            String text = SimulcastCamera.text(p);
                            if (text.length() > 1 && text.charAt(0) == 'L') {
                                int layer = text.charAt(1) - '0';
                                counts[layer].incrementAndGet();
                                last = layer;
                            }
                        }
                    }
                } catch (InterruptedException e) {
                    // test over
                }
            }, "bob-receiver");
            t.setDaemon(true);
            t.start();
        }

        int last() {
            return last;
        }

        long count(int layer) {
            return counts[layer].get();
        }

        @Override
        public String toString() {
            return "packets per layer " + Arrays.toString(counts) + ", last of layer " + last;
        }
    }
}
