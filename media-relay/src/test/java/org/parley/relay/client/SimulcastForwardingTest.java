package org.parley.relay.client;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.parley.relay.control.ConferenceStats.ForwardedStreamStats;
import org.parley.relay.control.SourceKind;

/**
 * A Java client publishes its camera as three simulcast layers through the real relay; another
 * receives one layer at a time, switched by the relay's target-layer hook, and sees one
 * continuous stream: gap-free sequence numbers, sane timestamps, every switch at a keyframe.
 */
class SimulcastForwardingTest {

    /** The receiver's packetsSent once two readings 300 ms apart agree (bounded: 10 tries). */
    private static long settledPacketsSent(RelayHarness h) throws InterruptedException {
        long before = stats(h).packetsSent();
        for (int i = 0; i < 10; i++) {
            Thread.sleep(300);
            long now = stats(h).packetsSent();
            if (now == before) {
                return now;
            }
            before = now;
        }
        throw new AssertionError("a paused receiver's packet count kept growing: " + before);
    }

    private static final long WAIT_MS = 20_000;

    @ParameterizedTest(name = "rid-signalled={0}")
    @ValueSource(booleans = {true, false})
    @Timeout(120)
    void receiverSwitchesBetweenLayersAtKeyframesOnOneContinuousStream(boolean ridSignalled) throws Exception {
        try (RelayHarness h = new RelayHarness(); Sending sending = new Sending()) {
            RelayTestClient alice = h.join("alice", c -> c.publisherOfferWithSimulcast(ridSignalled));
            RelayTestClient bob = h.join("bob", (java.util.function.Function<RelayTestClient, String>) null);
            h.await(() -> alice.isPublisherConnected() && bob.isSubscriberConnected(), WAIT_MS, "clients did not connect");
            SimulcastCamera camera = alice.simulcast();
            sending.start(camera);
            Received got = new Received(bob);

            // By default the receiver gets the highest layer, whose keyframe says 720 lines.
            awaitLayer(h, got, 2, 2);
            assertEquals(720, stats(h).height(), "the relay read the layer's height from its keyframe");
            h.await(() -> stats(h).bitrateBps() > 0, WAIT_MS, "the layer's bitrate is measured (over ~1 s)");

            // A packet of the forwarded layer lost upstream: the relay asks for it (NACK), the
            // camera repairs it with RTX naming the layer (repaired-rtp-stream-id or FID).
            int repairsBefore = camera.retransmissions();
            camera.loseNext(2);
            h.await(() -> camera.retransmissions() > repairsBefore, WAIT_MS, "the lost packet was never asked for");

            int mark = got.size();
            h.control().setTargetLayer(RelayHarness.CONFERENCE, "bob", "alice", SourceKind.VIDEO, 0);
            awaitLayer(h, got, 0, 0);
            assertSwitchedOnce(got.since(mark), 2, 0);

            mark = got.size();
            h.control().setTargetLayer(RelayHarness.CONFERENCE, "bob", "alice", SourceKind.VIDEO, 2);
            awaitLayer(h, got, 2, 2);
            assertSwitchedOnce(got.since(mark), 0, 2);
            int switchAt = firstOfLayer(got.since(mark), 2);
            ReceivedPacket lastLow = got.since(mark).get(switchAt - 1);
            ReceivedPacket firstHigh = got.since(mark).get(switchAt);

            // NACKs on either side of the switch are answered from the cache of the layer that
            // fed that sequence number.
            bob.sendNack(lastLow.ssrc(), lastLow.sequence());
            bob.sendNack(firstHigh.ssrc(), firstHigh.sequence());
            h.await(() -> got.repaired(lastLow.sequence()) != null && got.repaired(firstHigh.sequence()) != null,
                    WAIT_MS, "NACKs across the switch not answered");
            assertEquals(SimulcastCamera.text(lastLow), got.repaired(lastLow.sequence()));
            assertEquals(SimulcastCamera.text(firstHigh), got.repaired(firstHigh.sequence()));

            // Paused: nothing is sent; resumed at layer 1: it starts at a keyframe of layer 1.
            h.control().setTargetLayer(RelayHarness.CONFERENCE, "bob", "alice", SourceKind.VIDEO, -1);
            h.await(() -> stats(h).currentLayer() == -1 && stats(h).targetLayer() == -1, WAIT_MS, "not paused");
            int paused = got.size();
            // A packet the fan-out thread took before the pause may still be counted after the
            // stats said paused: start the window once the count has stood still for 300 ms.
            long sent = settledPacketsSent(h);
            Thread.sleep(1000); // an observation window: frames keep coming from the camera
            assertEquals(sent, stats(h).packetsSent(), "a paused receiver gets no video");
            mark = got.size();
            assertTrue(mark - paused <= 1, "at most a packet in flight arrived while paused");
            h.control().setTargetLayer(RelayHarness.CONFERENCE, "bob", "alice", SourceKind.VIDEO, 1);
            awaitLayer(h, got, 1, 1);
            List<ReceivedPacket> resumed = got.since(mark);
            assertTrue(SimulcastCamera.isKeyframe(resumed.get(0)), "resumes at a keyframe");
            assertTrue(SimulcastCamera.text(resumed.get(0)).startsWith("L1 "), "resumes on layer 1");

            // The highest layer stops arriving (the camera's encoder dropped it): a receiver
            // aiming at it falls back to the next lower active layer.
            h.control().setTargetLayer(RelayHarness.CONFERENCE, "bob", "alice", SourceKind.VIDEO, 2);
            awaitLayer(h, got, 2, 2);
            mark = got.size();
            sending.layers.set(2);
            awaitLayer(h, got, 2, 1);

            assertOneContinuousStream(got.all());
        }
    }

    private static ForwardedStreamStats stats(RelayHarness h) {
        return h.control().stats(RelayHarness.CONFERENCE).endpoints().stream()
                .filter(e -> e.endpointId().equals("bob")).findFirst().orElseThrow().forwarded().stream()
                .filter(f -> f.sourceEndpointId().equals("alice") && f.kind() == SourceKind.VIDEO).findFirst()
                .orElseThrow();
    }

    /** Waits until the relay says it forwards {@code current} and bob has just received it. */
    private static void awaitLayer(RelayHarness h, Received got, int target, int current) throws Exception {
        h.await(() -> {
            ForwardedStreamStats s = stats(h);
            List<ReceivedPacket> all = got.all();
            return s.targetLayer() == target && s.currentLayer() == current && all.size() > 3
                    && all.subList(all.size() - 3, all.size()).stream()
                            .allMatch(p -> SimulcastCamera.text(p).startsWith("L" + current + " "));
        }, WAIT_MS, "bob never got layer " + current + " (target " + target + "): " + stats(h));
    }

    /** The packets go from layer {@code from} to layer {@code to} once, at a keyframe, never back. */
    private static void assertSwitchedOnce(List<ReceivedPacket> packets, int from, int to) {
        int at = firstOfLayer(packets, to);
        assertTrue(at >= 0, "layer " + to + " never arrived");
        for (int i = 0; i < at; i++) {
            assertTrue(SimulcastCamera.text(packets.get(i)).startsWith("L" + from + " "), "before the switch");
        }
        assertTrue(SimulcastCamera.isKeyframe(packets.get(at)), "switched at a keyframe of layer " + to);
        for (int i = at; i < packets.size(); i++) {
            assertTrue(SimulcastCamera.text(packets.get(i)).startsWith("L" + to + " "), "no way back after the switch");
        }
    }

    private static int firstOfLayer(List<ReceivedPacket> packets, int layer) {
        for (int i = 0; i < packets.size(); i++) {
            if (SimulcastCamera.text(packets.get(i)).startsWith("L" + layer + " ")) {
                return i;
            }
        }
        return -1;
    }

    /**
     * One SSRC; sequence numbers without gap or duplicate (a repaired packet may arrive late);
     * timestamps advancing with the time between packets (no jump at a switch), every change of layer
     * at a keyframe.
     */
    private static void assertOneContinuousStream(List<ReceivedPacket> packets) {
        long ssrc = packets.get(0).ssrc();
        List<Integer> offsets = new ArrayList<>();
        int first = packets.get(0).sequence();
        for (int i = 0; i < packets.size(); i++) {
            ReceivedPacket p = packets.get(i);
            assertEquals(ssrc, p.ssrc(), "one SSRC for the receiver");
            offsets.add((p.sequence() - first) & 0xFFFF);
            if (i > 0) {
                ReceivedPacket before = packets.get(i - 1);
                long step = (p.timestamp() - before.timestamp()) & 0xFFFFFFFFL;
                boolean late = ((p.sequence() - before.sequence()) & 0xFFFF) > 0x8000;
                // the step follows the time that passed (a pause included), give or take 300 ms
                long elapsedTicks = (p.receivedNanos() - before.receivedNanos()) * 90 / 1_000_000;
                assertTrue(late || (step > 0 && step < elapsedTicks + 27_000),
                        "timestamp step " + step + " after " + elapsedTicks + " ticks at packet " + i);
                String layer = SimulcastCamera.text(p).substring(0, 2);
                if (!late && !layer.equals(SimulcastCamera.text(before).substring(0, 2))) {
                    assertTrue(SimulcastCamera.isKeyframe(p), "layer changed without a keyframe at packet " + i);
                }
            }
        }
        offsets.sort(null);
        for (int i = 0; i < offsets.size(); i++) {
            assertEquals(i, offsets.get(i), "sequence numbers continuous, no gap or duplicate");
        }
    }

    /** Sends a frame of each enabled layer (lowest {@code layers}) every 30 ms until closed. */
    private static final class Sending implements AutoCloseable {
        final AtomicInteger layers = new AtomicInteger(3);
        private final AtomicBoolean running = new AtomicBoolean(true);
        private Thread thread;

        void start(SimulcastCamera camera) {
            thread = new Thread(() -> {
                int n = 0;
                while (running.get()) {
                    for (int layer = 0; layer < layers.get(); layer++) {
                        camera.sendFrame(layer, ("L" + layer + " " + n).getBytes(StandardCharsets.US_ASCII));
                    }
                    n++;
                    try {
                        Thread.sleep(30); // pacing a 33 fps camera, not synchronisation
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

    /** What bob receives of the camera: the stream in arrival order, and RTX repairs by sequence. */
    private static final class Received {
        private final List<ReceivedPacket> packets = new ArrayList<>();
        private final java.util.Map<Integer, String> repairs = new java.util.HashMap<>();

        Received(RelayTestClient bob) {
            Thread t = new Thread(() -> {
                try {
                    ReceivedPacket p;
                    while ((p = bob.poll(60_000)) != null) {
                        add(p);
                    }
                } catch (InterruptedException e) {
                    // test over
                }
            }, "bob-receiver");
            t.setDaemon(true);
            t.start();
        }

        private synchronized void add(ReceivedPacket p) {
            if (p.payloadType() == ClientSdp.VP8_PT) {
                packets.add(p);
            } else if (p.payloadType() == ClientSdp.VP8_RTX_PT && p.payload().length > 2) {
                // RFC 4588 section 4: the original sequence number, then the original payload
                int seq = ((p.payload()[0] & 0xff) << 8) | (p.payload()[1] & 0xff);
                byte[] original = java.util.Arrays.copyOfRange(p.payload(), 2, p.payload().length);
                ReceivedPacket as = new ReceivedPacket(p.ssrc(), seq, p.timestamp(), ClientSdp.VP8_PT, original,
                        p.receivedNanos());
                repairs.put(seq, SimulcastCamera.text(as));
            }
        }

        synchronized int size() {
            return packets.size();
        }

        synchronized List<ReceivedPacket> all() {
            return List.copyOf(packets);
        }

        synchronized List<ReceivedPacket> since(int mark) {
            return List.copyOf(packets.subList(mark, packets.size()));
        }

        synchronized String repaired(int seq) {
            return repairs.get(seq);
        }
    }
}
