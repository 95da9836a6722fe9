package org.parley.relay.client;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.micrometer.core.instrument.Counter;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentLinkedQueue;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.parley.relay.RelayConfig;
import org.parley.relay.control.EndpointListener;

/**
 * A receiver that cannot keep up costs only itself (issue 18): an ICE-TCP subscriber stops
 * reading its socket, so the relay's writes to it would block once the TCP window and the kernel
 * buffers are full. The publisher's other receivers, on UDP, must keep getting every packet, in
 * order, and the relay must count what it drops for the slow one, video before audio.
 *
 * <p>ICE-TCP needs a non-loopback address for ice4j's listener: the relay binds {@value #ADDRESS},
 * added to this test JVM's own loopback interface (see {@link LoopbackAlias}).
 */
class SlowReceiverTest {

    private static final String ADDRESS = "10.254.0.2";
    /** Video payload size: the slow connection's kernel buffers fill after a few thousand. */
    private static final int VIDEO_BYTES = 1100;
    /** Rounds sent once the slow receiver's drops are counted: the others still get each one. */
    private static final int ROUNDS_AFTER_DROPS = 200;
    /**
     * One audio and one video packet every 3 ms: well within what the UDP receivers read on a busy
     * machine; the slow connection's buffers are full after about 2,500 rounds.
     */
    private static final long ROUND_NANOS = 3_000_000L;

    @Test
    @Timeout(180)
    void anIceTcpReceiverThatStopsReadingCostsOnlyItself() throws Exception {
        try (LoopbackAlias alias = LoopbackAlias.add(ADDRESS);
                RelayHarness h = new RelayHarness(new RelayConfig(ADDRESS, 0, 0));
                IceTcpReceiver slow = new IceTcpReceiver("slow")) {
            assertTrue(h.startLines().stream().anyMatch(l -> l.startsWith("relay tcp " + ADDRESS)),
                    "the relay listens for ICE-TCP: " + h.startLines());
            RelayTestClient alice = h.join("alice", true);
            RelayTestClient bob = h.join("bob", false);
            RelayTestClient carol = h.join("carol", false);
            ConcurrentLinkedQueue<String> slowOffers = new ConcurrentLinkedQueue<>();
            h.control().allocateEndpoint(RelayHarness.CONFERENCE, "slow", new EndpointListener() {
                @Override
                public void onSubscriberOffer(String sdpOffer) {
                    slowOffers.add(sdpOffer);
                }
            });
            h.await(() -> !slowOffers.isEmpty(), 15_000, "the relay made the slow receiver no offer");
            h.control().acceptSubscriberAnswer(RelayHarness.CONFERENCE, "slow", slow.answer(slowOffers.poll()));
            slow.connect(InetAddress.getLoopbackAddress());
            h.await(() -> alice.isPublisherConnected() && bob.isSubscriberConnected() && carol.isSubscriberConnected()
                    && (slow.isConnected() || slow.failure() != null), 30_000, "clients did not connect");
            assertTrue(slow.isConnected(), "the ICE-TCP receiver connected: " + slow.failure());

            // Until every receiver has had its keyframe, frames are held back on purpose.
            h.await(() -> {
                alice.sendVideoFrame("warm-up".getBytes(StandardCharsets.US_ASCII));
                alice.sendAudio("warm-up".getBytes(StandardCharsets.US_ASCII), 30);
                return got(bob) && got(carol) && slow.rtpReceived() > 0;
            }, 30_000, "media did not reach every receiver, ICE-TCP one included");
            drainWarmUp(bob);
            drainWarmUp(carol);

            slow.pauseReading();
            Counter videoDrops = dropCounter(h, "video");
            Counter audioDrops = dropCounter(h, "audio");
            byte[] video = new byte[VIDEO_BYTES];
            int rounds = 0;
            int afterDrops = 0;
            long deadline = System.nanoTime() + 60_000_000_000L;
            long next = System.nanoTime();
            while (afterDrops < ROUNDS_AFTER_DROPS && System.nanoTime() < deadline) {
                byte[] marker = ("r " + rounds + " ").getBytes(StandardCharsets.US_ASCII);
                System.arraycopy(marker, 0, video, 0, marker.length);
                alice.sendAudio(Arrays.copyOf(marker, marker.length), 30);
                alice.sendVideoFrame(video);
                rounds++;
                if (videoDrops != null && videoDrops.count() > 0) {
                    afterDrops++;
                }
                next += ROUND_NANOS;
                long wait = next - System.nanoTime();
                if (wait > 0) {
                    Thread.sleep(wait / 1_000_000, (int) (wait % 1_000_000));
                }
            }
            for (RelayTestClient receiver : List.of(bob, carol)) {
                assertReceivedEveryRound(receiver, rounds);
            }
            assertNotNull(videoDrops, "no drop counter for video at all");
            assertTrue(videoDrops.count() > 0, "the slow receiver's video drops are counted");
            double audio = audioDrops == null ? 0 : audioDrops.count();
            assertTrue(videoDrops.count() > audio, "video is dropped before audio: video "
                    + videoDrops.count() + ", audio " + audio);
        }
    }

    private static Counter dropCounter(RelayHarness h, String kind) {
        return h.registry().find("parley_relay_dropped_packets").tag("reason", "receiver_queue_full")
                .tag("kind", kind).counter();
    }

    private static boolean got(RelayTestClient receiver) {
        try {
            return receiver.poll(0) != null;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    private static void drainWarmUp(RelayTestClient receiver) throws InterruptedException {
        while (receiver.poll(300) != null) {
            // warm-up packets still on their way
        }
    }

    /** Each stream arrives whole: {@code rounds} packets, payloads in order, sequence numbers continuous. */
    private static void assertReceivedEveryRound(RelayTestClient receiver, int rounds) throws InterruptedException {
        Map<Long, List<ReceivedPacket>> bySsrc = new HashMap<>();
        ReceivedPacket p;
        int total = 0;
        while (total < 2 * rounds && (p = receiver.poll(5000)) != null) {
            bySsrc.computeIfAbsent(p.ssrc(), k -> new ArrayList<>()).add(p);
            total++;
        }
        assertEquals(2, bySsrc.size(), receiver.name() + " gets one audio and one video stream");
        for (List<ReceivedPacket> stream : bySsrc.values()) {
            String kind = stream.get(0).payloadType() == ClientSdp.OPUS_PT ? "audio" : "video";
            assertEquals(rounds, stream.size(), receiver.name() + " got every " + kind + " packet of " + rounds);
            int first = stream.get(0).sequence();
            for (int i = 0; i < stream.size(); i++) {
                ReceivedPacket r = stream.get(i);
                assertEquals((first + i) & 0xFFFF, r.sequence(), receiver.name() + "'s " + kind + " is continuous");
                int at = kind.equals("video") ? 2 : 0; // after the VP8 payload descriptor
                String text = new String(r.payload(), at, Math.min(16, r.payload().length - at),
                        StandardCharsets.US_ASCII);
                assertTrue(text.startsWith("r " + i + " "), receiver.name() + "'s " + kind + " packet " + i
                        + " arrives in order, got " + text);
            }
        }
    }
}
