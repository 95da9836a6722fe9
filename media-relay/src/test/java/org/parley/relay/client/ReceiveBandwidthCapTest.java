package org.parley.relay.client;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.Test;

class ReceiveBandwidthCapTest {

    private static final long MS = 1_000_000L;

    @Test
    void packetsQueueAtTheRateAndTheOnesBeyondTheQueueAreDropped() {
        ReceiveBandwidthCap cap = new ReceiveBandwidthCap();
        cap.setRate(400_000); // a 1000-byte packet takes 20 ms
        long t0 = 5_000 * MS;
        for (int i = 1; i <= 6; i++) {
            // waiting 0, 20, ..., 100 ms: within the 100 ms queue
            assertEquals(t0 + i * 20 * MS, cap.arrival(1000, t0), "packet " + i);
        }
        assertEquals(-1, cap.arrival(1000, t0), "the seventh would wait 120 ms: dropped");
        assertEquals(1, cap.dropped());
        // 30 ms later the queue has drained by a packet and a half: the next waits 90 ms
        assertEquals(t0 + 140 * MS, cap.arrival(1000, t0 + 30 * MS));
    }

    @Test
    void anIdleLinkAddsOnlyTheTransmissionTime() {
        ReceiveBandwidthCap cap = new ReceiveBandwidthCap();
        cap.setRate(800_000);
        assertEquals(10 * MS + 10 * MS, cap.arrival(1000, 10 * MS));
        assertEquals(500 * MS + 10 * MS, cap.arrival(1000, 500 * MS), "the first packet's queue is long gone");
    }

    @Test
    void noCapMeansNoDelayAndNoLossAndNegativeRatesAreRefused() {
        ReceiveBandwidthCap cap = new ReceiveBandwidthCap();
        cap.setRate(100_000);
        cap.arrival(1500, 0);
        cap.setRate(0);
        assertEquals(7 * MS, cap.arrival(1500, 7 * MS));
        assertEquals(0, cap.dropped());
        assertThrows(IllegalArgumentException.class, () -> cap.setRate(-1));
    }
}
