package org.parley.relay.client;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.parley.relay.control.ReceiverConstraints;
import org.parley.relay.control.ReceiverConstraints.SourceLimit;
import org.parley.relay.control.SourceKind;
import org.parley.relay.rtp.Vp8Descriptor;

/**
 * maxFrameRate through the real relay (ICE, DTLS, SRTP): a publisher sends 30 fps VP8 in three
 * temporal layers (L1T3, as Chromium); a receiver asking for 15 fps gets TL0 and TL1, half the
 * frames, every one of them, as one stream without a gap in sequence numbers or PictureIDs (what
 * a depacketizer and VP8 decoder need to decode them all, without NACKs or PLIs); a receiver that
 * asked nothing keeps all 30.
 */
class TemporalLayerForwardingTest {

    private static final int FRAMES = 90;

    /** One frame sent: its number and temporal layer. */
    private record Sent(int n, int tid) {
    }

    @Test
    @Timeout(90)
    void aReceiverAskingFifteenFpsOfThirtyGetsHalfTheFramesAllDecodable() throws Exception {
        try (RelayHarness h = new RelayHarness()) {
            RelayTestClient alice = h.join("alice", true);
            RelayTestClient bob = h.join("bob", false);
            RelayTestClient carol = h.join("carol", false);
            h.control().setReceiverConstraints(RelayHarness.CONFERENCE, "bob", new ReceiverConstraints(null,
                    List.of(), List.of(), List.of(new SourceLimit("alice", SourceKind.VIDEO, 0, 15, false))));
            h.await(() -> alice.isPublisherConnected() && bob.isSubscriberConnected() && carol.isSubscriberConnected(),
                    15_000, "clients did not connect");
            TemporalLayers camera = new TemporalLayers();
            int[] n = {0};

            // until the relay has measured the layers' rates and bob gets no TL2 for a second
            long deadline = System.nanoTime() + 20_000_000_000L;
            int cleanFrames = 0;
            while (cleanFrames < 30) {
                assertTrue(System.nanoTime() < deadline, "bob still gets TL2 frames");
                h.ferry();
                sendFrame(alice, camera, n[0]++);
                carol.poll(0);
                for (ReceivedPacket p = bob.poll(0); p != null; p = bob.poll(0)) {
                    if (p.kind() == MediaKind.VIDEO && p.payload().length > 0) {
                        cleanFrames = tid(p) == 2 ? 0 : cleanFrames + 1;
                    }
                }
                drain(carol);
            }
            drain(bob);
            int plisBefore = alice.plisReceived();
            List<Sent> sent = new ArrayList<>();
            List<ReceivedPacket> atBob = new ArrayList<>();
            List<ReceivedPacket> atCarol = new ArrayList<>();
            for (int i = 0; i < FRAMES; i++) {
                int frame = n[0]++;
                sendFrame(alice, camera, frame);
                sent.add(new Sent(frame, camera.lastTemporalLayer()));
                collect(bob, atBob);
                collect(carol, atCarol);
            }
            long until = System.nanoTime() + 1_000_000_000L;
            while (System.nanoTime() < until) {
                collect(bob, atBob);
                collect(carol, atCarol);
                Thread.sleep(20);
            }

            Set<Integer> bobFrames = frames(atBob);
            Set<Integer> carolFrames = frames(atCarol);
            Set<Integer> wanted = new TreeSet<>();
            sent.stream().filter(s -> s.tid() <= 1).forEach(s -> wanted.add(s.n()));
            String report = "bob " + bobFrames.size() + " frames, carol " + carolFrames.size() + " of " + FRAMES;
            assertTrue(carolFrames.size() >= FRAMES * 9 / 10, "without a limit: every frame; " + report);
            assertTrue(bobFrames.containsAll(wanted), "every TL0 and TL1 frame reaches bob: missing "
                    + missing(wanted, bobFrames) + "; " + report);
            for (ReceivedPacket p : atBob) {
                if (p.payload().length > 0) {
                    assertTrue(tid(p) <= 1, "no TL2 frame at 15 fps: " + text(p));
                }
            }
            assertTrue(bobFrames.size() <= FRAMES * 6 / 10, "about half: " + report);
            assertContinuous(atBob);
            assertTrue(alice.plisReceived() - plisBefore <= 2, "no keyframe requests while it runs: "
                    + (alice.plisReceived() - plisBefore));
        }
    }

    private static void sendFrame(RelayTestClient alice, TemporalLayers camera, int n) throws InterruptedException {
        alice.sendAudio(("alice a " + n).getBytes(StandardCharsets.US_ASCII), 30);
        alice.sendVideoFrame(("alice v " + n).getBytes(StandardCharsets.US_ASCII), camera);
        Thread.sleep(33); // paced as a 30 fps camera, so the relay measures 30 fps
    }

    private static void collect(RelayTestClient receiver, List<ReceivedPacket> into) throws InterruptedException {
        for (ReceivedPacket p = receiver.poll(0); p != null; p = receiver.poll(0)) {
            if (p.kind() == MediaKind.VIDEO) {
                into.add(p);
            }
        }
    }

    private static void drain(RelayTestClient receiver) throws InterruptedException {
        while (receiver.poll(0) != null) {
            // before the measurement
        }
    }

    private static int tid(ReceivedPacket p) {
        return Vp8Descriptor.temporalLayer(p.payload(), 0, p.payload().length);
    }

    private static Set<Integer> frames(List<ReceivedPacket> packets) {
        Set<Integer> out = new TreeSet<>();
        for (ReceivedPacket p : packets) {
            if (p.payload().length > 0) {
                String text = text(p);
                out.add(Integer.parseInt(text.substring(text.lastIndexOf(' ') + 1)));
            }
        }
        return out;
    }

    /** The frame's text ("alice v 17"), after the VP8 frame tag. */
    private static String text(ReceivedPacket p) {
        byte[] f = p.frame();
        return new String(f, 1, f.length - 1, StandardCharsets.US_ASCII);
    }

    private static Set<Integer> missing(Set<Integer> wanted, Set<Integer> got) {
        Set<Integer> m = new TreeSet<>(wanted);
        m.removeAll(got);
        return m;
    }

    /**
     * Sequence numbers one by one (nothing for the receiver to NACK); PictureIDs one per frame, one
     * by one (RFC 7741: the decoder sees no missing picture); TL0PICIDX one by one on TL0 frames.
     */
    private static void assertContinuous(List<ReceivedPacket> packets) {
        assertTrue(packets.size() > 10, "packets: " + packets.size());
        for (int i = 1; i < packets.size(); i++) {
            ReceivedPacket a = packets.get(i - 1);
            ReceivedPacket b = packets.get(i);
            assertEquals((a.sequence() + 1) & 0xFFFF, b.sequence(), "no gap at packet " + i);
            byte[] pa = a.payload();
            byte[] pb = b.payload();
            int pidA = Vp8Descriptor.pictureId(pa, Vp8Descriptor.pictureIdAt(pa, 0, pa.length));
            int pidB = Vp8Descriptor.pictureId(pb, Vp8Descriptor.pictureIdAt(pb, 0, pb.length));
            assertEquals((pidA + 1) & 0x7FFF, pidB, "consecutive PictureIDs at packet " + i);
            if (tid(b) == 0 && tid(a) == 1) {
                assertEquals((pa[4] + 1) & 0xFF, pb[4] & 0xFF, "TL0PICIDX steps by one");
            }
        }
    }
}
