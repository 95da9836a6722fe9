package org.parley.relay.allocation;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;
import org.parley.relay.client.MutableClock;

class UpgradeProbesTest {

    private final MutableClock clock = new MutableClock(1_000_000);
    private final UpgradeProbes probes = new UpgradeProbes(clock);

    @Test
    void aHeldBackReceiverIsProbedAfterAPauseThenEverLessOftenUpToTheLongestWait() {
        assertFalse(probes.due(1_700_000), "just held back: its link's queue drains first");
        clock.advance(UpgradeProbes.FIRST_INTERVAL_MILLIS - 1);
        assertFalse(probes.due(1_700_000));
        clock.advance(1);
        assertTrue(probes.due(1_700_000), "the first probe");
        clock.advance(UpgradeProbes.FIRST_INTERVAL_MILLIS);
        assertFalse(probes.due(1_700_000), "the wait doubled");
        clock.advance(UpgradeProbes.FIRST_INTERVAL_MILLIS);
        assertTrue(probes.due(1_700_000), "the second, 2 s after the first");
        for (int i = 0; i < 5; i++) {
            clock.advance(UpgradeProbes.MAX_INTERVAL_MILLIS - 1);
            assertFalse(probes.due(1_700_000), "never sooner than the longest wait from here on");
            clock.advance(1);
            assertTrue(probes.due(1_700_000), "never later either");
        }
    }

    @Test
    void aReceiverNoLongerHeldBackStartsOver() {
        probes.due(1_700_000);
        clock.advance(UpgradeProbes.FIRST_INTERVAL_MILLIS);
        assertTrue(probes.due(1_700_000));
        assertFalse(probes.due(0), "nothing held back: no probe");
        clock.advance(UpgradeProbes.MAX_INTERVAL_MILLIS);
        assertFalse(probes.due(1_700_000), "held back again: the pause first");
        clock.advance(UpgradeProbes.FIRST_INTERVAL_MILLIS);
        assertTrue(probes.due(1_700_000), "then the first probe");
    }
}
