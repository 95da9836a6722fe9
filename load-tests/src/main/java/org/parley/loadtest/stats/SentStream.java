package org.parley.loadtest.stats;

import java.util.concurrent.atomic.AtomicInteger;

/**
 * What one simulated sender sent on one source (its microphone, camera or screen), numbered as
 * its payloads count (0, 1, 2...). Every receiver of the source expects each of these packets
 * from its first on, so a stream that stops arriving while its sender goes on counts as loss,
 * which the relay-rewritten sequence numbers alone cannot show.
 */
public final class SentStream {

    private final AtomicInteger sent = new AtomicInteger();
    /** Packets sent before the previous {@link #settle()}: receivers have had a sampling interval to get them. */
    private volatile int settled;
    private volatile int pending;

    /** The counter of the packet about to be sent. */
    public int next() {
        return sent.getAndIncrement();
    }

    /** Packets sent so far. */
    public int sent() {
        return sent.get();
    }

    /**
     * Moves the settled count on to what had been sent at the previous call, so packets still in
     * flight at a sample are not counted as lost; the sampler calls it once per interval.
     */
    void settle() {
        settled = pending;
        pending = sent.get();
    }

    /** Once the sender has stopped and its last packets had time to arrive: every packet sent counts. */
    public void settleAll() {
        pending = sent.get();
        settled = pending;
    }

    /** Packets every receiver should have by now. */
    public int settled() {
        return settled;
    }
}
