package org.parley.relay.conference;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.parley.relay.client.RelayHarness;
import org.parley.relay.client.RelayTestClient;

/**
 * Probing a receiver's downlink through real ICE, DTLS and SRTP: while a publisher sends only
 * ~250 kbit/s, nothing shows the receiver could take more and the estimate stays at its start
 * value; a probe cluster of padding at 3 Mbit/s on the receiver's RTX SSRC, fed back by the
 * receiver, lifts it at once. Behind a 400 kbit/s cap, the same probe does not.
 */
class DownlinkProbeTest {

    private static final String CONF = RelayHarness.CONFERENCE;

    @Test
    @Timeout(120)
    void aProbeLiftsTheEstimateOnlyWhenTheLinkCarriesIt() throws Exception {
        ScheduledExecutorService sender = Executors.newSingleThreadScheduledExecutor();
        try (RelayHarness h = new RelayHarness()) {
            RelayTestClient alice = h.join("alice", true);
            RelayTestClient bob = h.join("bob", false);
            RelayTestClient carol = h.join("carol", false);
            carol.capReceiveBandwidth(400_000);
            h.await(() -> alice.isPublisherConnected() && bob.isSubscriberConnected()
                    && carol.isSubscriberConnected(), 20_000, "clients did not connect");
            byte[] frame = new byte[1000];
            sender.scheduleAtFixedRate(() -> alice.sendVideoFrame(frame), 0, 33, TimeUnit.MILLISECONDS);
            LocalRelayControl control = (LocalRelayControl) h.control();
            SubscriberSide bobSide = control.conference(CONF).endpoint("bob").subscriberSide();
            SubscriberSide carolSide = control.conference(CONF).endpoint("carol").subscriberSide();
            h.await(() -> bob.twccFeedbackSent() > 20 && carol.twccFeedbackSent() > 20, 20_000,
                    "no transport-wide feedback");
            long start = bobSide.availableBandwidthBps();
            // The estimate may grow a little from its 1 Mbit/s start before the acknowledged rate
            // (250 kbit/s) caps growth, but nothing takes it near 2 Mbit/s.
            assertTrue(start < 1_500_000, "about the initial bitrate without a probe: " + start);

            h.await(() -> {
                bobSide.requestProbe(3_000_000);
                carolSide.requestProbe(3_000_000);
                return bobSide.availableBandwidthBps() >= 2_000_000;
            }, 30_000, "a 3 Mbit/s probe through an open link did not lift the estimate to 2 Mbit/s (at "
                    + bobSide.availableBandwidthBps() + ")");
            assertTrue(carolSide.availableBandwidthBps() < 1_500_000,
                    "the same probes through a 400 kbit/s cap: " + carolSide.availableBandwidthBps());
        } finally {
            sender.shutdownNow();
        }
    }
}
