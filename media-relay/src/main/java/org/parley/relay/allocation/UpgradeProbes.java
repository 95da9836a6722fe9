package org.parley.relay.allocation;

import java.time.Clock;

/**
 * When to probe a receiver's link for the layer bandwidth holds it below (docs/relay.md, "How the
 * estimate drives allocation"). A receiver on a lower layer than it wants sends less than its link
 * may carry, so the estimate, which grows only up to 1.5 times what the receiver acknowledges
 * (gcc-02 section 5.5), cannot climb back on its own once the link frees up: only a probe shows
 * the room. The first probe comes {@link #FIRST_INTERVAL_MILLIS} after the receiver was first held
 * back, each further one after twice the wait before, up to {@link #MAX_INTERVAL_MILLIS}; a
 * receiver no longer held back starts over.
 *
 * <p>One instance per receiver, used on the relay's timer thread only.
 */
public final class UpgradeProbes {

    /**
     * Wait after being held back, before the first probe: a receiver that was just moved down
     * because its link filled gains nothing from a probe into that full queue at once; a second
     * lets the queue drain and the estimate settle.
     */
    static final long FIRST_INTERVAL_MILLIS = 1_000;
    /**
     * The longest wait between probes: each probe that finds no room costs a link that is really
     * full a burst of queueing (20 ms at the probed rate), so they thin out; 3 s keeps a link that
     * did free up back on its highest layer within the 10 s (3 s to the next probe, 2 s
     * of {@link BandwidthAllocator#UP_HOLD_MILLIS}, a keyframe).
     */
    static final long MAX_INTERVAL_MILLIS = 3_000;

    private final Clock clock;
    private long nextAtMillis = Long.MIN_VALUE;
    private long intervalMillis = FIRST_INTERVAL_MILLIS;

    public UpgradeProbes(Clock clock) {
        this.clock = clock;
    }

    /**
     * Called after each allocation with its {@link BandwidthAllocator#probeTargetBps()}: true
     * when a probe at that rate is due now.
     */
    public boolean due(long targetBps) {
        long now = clock.millis();
        if (targetBps <= 0) {
            nextAtMillis = Long.MIN_VALUE;
            intervalMillis = FIRST_INTERVAL_MILLIS;
            return false;
        }
        if (nextAtMillis == Long.MIN_VALUE) {
            nextAtMillis = now + intervalMillis;
            return false;
        }
        if (now < nextAtMillis) {
            return false;
        }
        intervalMillis = Math.min(MAX_INTERVAL_MILLIS, intervalMillis * 2);
        nextAtMillis = now + intervalMillis;
        return true;
    }
}
