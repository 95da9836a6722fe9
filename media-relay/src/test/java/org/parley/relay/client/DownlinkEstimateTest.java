package org.parley.relay.client;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.parley.relay.control.ConferenceStats;

/**
 * The relay's estimate of a receiver's downlink, through real ICE, DTLS and SRTP: a Java client
 * receives a publisher's ~1 Mbit/s through a 400 kbit/s token bucket (a thin link) and sends
 * transport-wide feedback as Chromium does; the relay's stats show the estimate settle near the
 * cap, and rise once the cap is lifted.
 */
class DownlinkEstimateTest {

    private static final long CAP_BPS = 400_000;

    @Test
    @Timeout(150)
    void theEstimateSettlesNearACappedDownlinkAndRisesWhenTheCapLifts() throws Exception {
        ScheduledExecutorService sender = Executors.newSingleThreadScheduledExecutor();
        try (RelayHarness h = new RelayHarness()) {
            RelayTestClient alice = h.join("alice", true);
            RelayTestClient bob = h.join("bob", false);
            bob.capReceiveBandwidth(CAP_BPS);
            h.await(() -> alice.isPublisherConnected() && bob.isSubscriberConnected(), 20_000,
                    "clients did not connect");
            // About 1 Mbit/s: a 1100-byte video packet every 10 ms and audio every 20 ms.
            byte[] frame = new byte[1100];
            int[] tick = {0};
            sender.scheduleAtFixedRate(() -> {
                alice.sendVideoFrame(frame);
                if (tick[0]++ % 2 == 0) {
                    alice.sendAudio(new byte[80], 40);
                }
            }, 0, 10, TimeUnit.MILLISECONDS);

            // Five readings in a row (one a second) within 50 to 120 % of the cap.
            int[] inRange = {0};
            long[] last = {0};
            long[] readAt = {0};
            h.await(() -> {
                if (System.nanoTime() - readAt[0] < 1_000_000_000L) {
                    return false;
                }
                readAt[0] = System.nanoTime();
                long e = estimate(h, "bob");
                last[0] = e;
                inRange[0] = e >= CAP_BPS / 2 && e <= CAP_BPS * 12 / 10 ? inRange[0] + 1 : 0;
                return inRange[0] >= 5;
            }, 60_000, "the estimate did not settle within 50-120 % of the 400 kbit/s cap");
            assertTrue(bob.twccFeedbackSent() > 0, "bob sent transport-wide feedback");
            assertTrue(bob.packetsDroppedByCap() > 0, "the cap dropped what exceeded it");
            long capped = last[0];

            bob.capReceiveBandwidth(0);
            h.await(() -> estimate(h, "bob") > CAP_BPS * 3 / 2, 40_000,
                    "the estimate did not rise above 600 kbit/s after the cap lifted (was " + capped + ")");
        } finally {
            sender.shutdownNow();
        }
    }

    static long estimate(RelayHarness h, String endpoint) {
        ConferenceStats stats = h.control().stats(RelayHarness.CONFERENCE);
        return stats.endpoints().stream().filter(e -> e.endpointId().equals(endpoint))
                .mapToLong(ConferenceStats.EndpointStats::estimateBps).findFirst().orElse(-1);
    }
}
