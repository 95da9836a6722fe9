package org.parley.relay.bwe;

import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayDeque;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * Drives the estimator with synthetic feedback from a simulated path: a sender that sends at the
 * current estimate (as the relay does once layers follow it), a bottleneck of a given capacity
 * with a drop-tail queue, random loss, and feedback every 50 ms. Simulated time only.
 */
class DownlinkEstimatorTest {

    private static final long MS = 1_000_000L;
    private static final int PACKET = 1200;

    /** A path: capacity (bits/s), queue limit, random loss, one-way propagation delay. */
    private static final class Path {
        final long capacityBps;
        final double loss;
        final long queueLimitNanos = 200 * MS;
        final long propagationNanos = 20 * MS;
        final Random random = new Random(17);
        long lastDeparture;

        Path(long capacityBps, double loss) {
            this.capacityBps = capacityBps;
            this.loss = loss;
        }

        /** Arrival time (ns) of a packet sent at {@code send}, -1 when lost or dropped. */
        long carry(long send, int size) {
            long start = Math.max(send, lastDeparture);
            long departure = start + size * 8L * 1_000_000_000L / capacityBps;
            if (departure - send > queueLimitNanos) {
                return -1;
            }
            lastDeparture = departure;
            if (random.nextDouble() < loss) {
                return -1;
            }
            return departure + propagationNanos;
        }
    }

    private record Sent(long send, int size, long arrival, int cluster) {
    }

    /** The mean estimate over the second half of the last {@link #run}. */
    private static double meanOfSecondHalf;

    /** Runs {@code seconds} of traffic at the estimate through {@code path}; returns the time it ended. */
    private static long run(DownlinkEstimator e, Path path, long startNanos, double seconds) {
        double sum = 0;
        int samples = 0;
        long half = startNanos + (long) (seconds * 0.5e9);
        ArrayDeque<Sent> inFlight = new ArrayDeque<>();
        long now = startNanos;
        long end = startNanos + (long) (seconds * 1e9);
        long nextSend = now;
        long nextFeedback = now + 50 * MS;
        while (now < end) {
            now = Math.min(nextSend, nextFeedback);
            if (now == nextSend) {
                inFlight.add(new Sent(now, PACKET, path.carry(now, PACKET), SendHistory.NO_CLUSTER));
                nextSend = now + PACKET * 8L * 1_000_000_000L / e.estimateBps();
            }
            if (now == nextFeedback) {
                feedback(e, inFlight, now);
                nextFeedback = now + 50 * MS;
                if (now >= half) {
                    sum += e.estimateBps();
                    samples++;
                }
            }
        }
        meanOfSecondHalf = sum / samples;
        return now;
    }

    /** Reports, in send order, every packet that has arrived or was lost before an arrived one. */
    private static void feedback(DownlinkEstimator e, ArrayDeque<Sent> inFlight, long now) {
        // Feedback travels back over the same propagation delay.
        long horizon = now - 20 * MS;
        boolean any = false;
        while (!inFlight.isEmpty()) {
            Sent s = inFlight.peek();
            if (s.arrival() >= 0 && s.arrival() > horizon) {
                break;
            }
            if (s.arrival() < 0 && s.send() > horizon - 200 * MS) {
                break; // not known lost until later packets arrive
            }
            inFlight.poll();
            e.onPacket(s.send(), s.size(), s.arrival() < 0 ? -1 : s.arrival() / 1000, s.cluster());
            any = true;
        }
        if (any) {
            e.onFeedbackEnd(now);
        }
    }

    @Test
    void aBottleneckOf400KbitsIsFoundAndNotExceeded() {
        // Starting below it, as Chromium's 300 kbit/s: the estimate climbs into the bottleneck,
        // the queue starts to build and the delay trend turns it back.
        DownlinkEstimator e = new DownlinkEstimator(300_000, 50_000, 50_000_000);
        run(e, new Path(400_000, 0), 0, 40);
        double mean = meanOfSecondHalf;
        assertTrue(mean <= 400_000, "on average at or below the bottleneck: " + mean);
        assertTrue(mean >= 200_000, "but uses most of it: " + mean);
        assertTrue(e.estimateBps() < 480_000, "never far above it: " + e.estimateBps());
    }

    @Test
    void tenPercentLossBacksOff() {
        DownlinkEstimator e = new DownlinkEstimator(2_000_000, 50_000, 50_000_000);
        run(e, new Path(100_000_000, 0.15), 0, 10);
        long estimate = e.estimateBps();
        assertTrue(estimate < 1_000_000, "15 % loss on an otherwise wide path halves the estimate: " + estimate);
    }

    @Test
    void lowLossAndHeadroomLetItGrow() {
        DownlinkEstimator e = new DownlinkEstimator(500_000, 50_000, 50_000_000);
        run(e, new Path(10_000_000, 0.01), 0, 20);
        long estimate = e.estimateBps();
        assertTrue(estimate > 1_500_000, "grows towards a 10 Mbit/s link: " + estimate);
        assertTrue(estimate <= 10_000_000, "not beyond it: " + estimate);
    }

    @Test
    void afterTheBottleneckLiftsTheEstimateRises() {
        DownlinkEstimator e = new DownlinkEstimator(1_000_000, 50_000, 50_000_000);
        long t = run(e, new Path(400_000, 0), 0, 20);
        long capped = e.estimateBps();
        run(e, new Path(5_000_000, 0), t, 20);
        assertTrue(e.estimateBps() > 2 * capped, "rises from " + capped + " to " + e.estimateBps());
    }

    @Test
    void aProbeThatArrivesAtItsRateLiftsTheEstimateAtOnce() {
        DownlinkEstimator e = new DownlinkEstimator(500_000, 50_000, 50_000_000);
        Path wide = new Path(20_000_000, 0);
        long t = run(e, wide, 0, 2);
        long before = e.estimateBps();
        assertTrue(probe(e, wide, t, 3_000_000) >= 5, "a cluster of at least five packets");
        assertTrue(e.estimateBps() > 2_000_000, "probe at 3 Mbit/s through 20 Mbit/s: " + before + " -> "
                + e.estimateBps());
    }

    @Test
    void aProbeThroughANarrowLinkDoesNotLiftTheEstimateBeyondIt() {
        DownlinkEstimator e = new DownlinkEstimator(300_000, 50_000, 50_000_000);
        Path narrow = new Path(600_000, 0);
        long t = run(e, narrow, 0, 2);
        probe(e, narrow, t, 3_000_000);
        assertTrue(e.estimateBps() < 800_000, "probe at 3 Mbit/s through 600 kbit/s: " + e.estimateBps());
    }

    /** A 20 ms cluster of 275-byte packets at {@code bps}, fed back at once; returns its packet count. */
    private static int probe(DownlinkEstimator e, Path path, long start, long bps) {
        int size = 275;
        int packets = (int) Math.ceil(bps / 8.0 * 0.020 / size) + 1;
        e.onProbeStarted(7, packets);
        long gap = 20 * MS / (packets - 1);
        long last = start;
        for (int i = 0; i < packets; i++) {
            long send = start + i * gap;
            long arrival = path.carry(send, size);
            e.onPacket(send, size, arrival < 0 ? -1 : arrival / 1000, 7);
            last = Math.max(last, arrival);
        }
        e.onFeedbackEnd(last + 20 * MS);
        return packets;
    }

    @Test
    void boundsAreChecked() {
        assertThrows(IllegalArgumentException.class, () -> new DownlinkEstimator(1000, 2000, 3000));
        assertThrows(IllegalArgumentException.class, () -> new DownlinkEstimator(5000, 2000, 3000));
        assertThrows(IllegalArgumentException.class, () -> new DownlinkEstimator(1000, 0, 3000));
    }
}
