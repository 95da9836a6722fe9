package org.parley.relay.conference;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/**
 * The shape of a probe cluster: sent at its target rate as the estimator measures it, and large
 * enough that a thin link's token bucket cannot pass all of it at line speed (docs/relay.md,
 * "Bandwidth estimation").
 */
class ProbePlanTest {

    @Test
    void everyClusterIsSentAtItsTargetRateFromItsFirstBurstToItsLast() {
        for (long target = 60_000; target <= 20_000_000; target += target / 7) {
            ProbePlan plan = ProbePlan.forRate(target);
            int sum = 0;
            for (int tick = 0; tick < plan.ticks(); tick++) {
                assertTrue(plan.packetsInTick(tick) >= 0, target + ": tick " + tick);
                sum += plan.packetsInTick(tick);
            }
            assertEquals(plan.packets(), sum, target + " bit/s: every packet in some burst");
            assertTrue(plan.packetsInTick(0) > 0 && plan.packetsInTick(plan.ticks() - 1) > 0,
                    target + " bit/s: the first and the last burst span the cluster");
            // What ProbeClusters measures: the bytes before the last packet over first to last.
            double sentBps = (plan.packets() - 1) * ProbePlan.PACKET_BYTES * 8e6
                    / ((plan.ticks() - 1) * ProbePlan.TICK_MICROS);
            if (plan.packets() > ProbePlan.MIN_TICKS && plan.packets() < ProbePlan.MAX_PACKETS) {
                assertTrue(sentBps >= target && sentBps <= target + ProbePlan.PACKET_BYTES * 8e6
                        / ((plan.ticks() - 1) * ProbePlan.TICK_MICROS), target + " bit/s sent at " + sentBps);
            }
        }
    }

    @Test
    void aSlowProbeLastsLongEnoughToOutlastAThinLinksBurst() {
        // 375 kbit/s, what a receiver held on a 150 kbit/s layer below a 300 kbit/s one probes
        // for: 20 ms of it (five packets, 1.4 kB) passes whole through the bucket of a 400 kbit/s
        // shaper, whatever the link's rate.
        ProbePlan slow = ProbePlan.forRate(375_000);
        assertTrue(slow.packets() * (long) ProbePlan.PACKET_BYTES >= ProbePlan.MIN_BYTES, "bytes: " + slow);
        assertTrue(slow.ticks() > ProbePlan.MIN_TICKS && slow.ticks() <= ProbePlan.MAX_TICKS, "bursts: " + slow);
        ProbePlan fast = ProbePlan.forRate(5_000_000);
        assertEquals(ProbePlan.MIN_TICKS, fast.ticks(), "a fast probe carries enough in 20 ms: " + fast);
        ProbePlan slowest = ProbePlan.forRate(30_000);
        assertEquals(ProbePlan.MAX_TICKS, slowest.ticks(), "a very slow probe is cut at 300 ms: " + slowest);
        assertTrue(ProbePlan.forRate(100_000_000).packets() <= ProbePlan.MAX_PACKETS);
    }
}
