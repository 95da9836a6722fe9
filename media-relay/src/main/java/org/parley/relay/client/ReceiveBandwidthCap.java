package org.parley.relay.client;

/**
 * A thin downlink in front of a test client's receiver: a bottleneck that carries a set number
 * of bits per second, with a queue of at most {@link #QUEUE_NANOS} of them in front of it. A
 * packet that finds the queue full is dropped (tail drop); the others come out once the packets
 * before them have passed at the rate. So a sender above the rate first sees its packets' delay
 * grow and then loses some, as on a real bottleneck (and as the e2e tests' shaped link with its
 * 100 ms queue behaves), which is what a delay-based estimator (docs/relay.md, Bandwidth
 * estimation) needs to find the rate: a bucket that only dropped showed loss and no delay, and
 * the relay's estimate swung around the cap (issue 17, the load tool's capped receivers).
 *
 * <p>The delay is not waited out: {@link #arrival} says when the packet would have come out of
 * the queue, and the client reports that moment in its transport-wide feedback. Off (no delay,
 * nothing dropped) at rate 0. Used on the receive thread; the rate may be set from any thread.
 */
public final class ReceiveBandwidthCap {

    /** The queue: 100 ms at the rate, a common bottleneck buffer for a home link or a phone's. */
    static final long QUEUE_NANOS = 100_000_000L;

    private volatile long rateBps;
    /** When the bottleneck has passed the last packet it took; valid while {@link #busy}. */
    private long freeAtNanos;
    private boolean busy;
    private long dropped;

    /** Caps the downlink at {@code bps} bits per second; 0 lifts the cap. */
    public void setRate(long bps) {
        if (bps < 0) {
            throw new IllegalArgumentException("receive bandwidth must be 0 (no cap) or positive, got " + bps);
        }
        rateBps = bps;
    }

    public long rateBps() {
        return rateBps;
    }

    /** Packets dropped so far. */
    public synchronized long dropped() {
        return dropped;
    }

    /**
     * When a packet of {@code bytes} reaching the bottleneck at {@code nowNanos} comes out of it,
     * or -1 when the queue is full and it is dropped.
     */
    public synchronized long arrival(int bytes, long nowNanos) {
        long rate = rateBps;
        if (rate == 0) {
            busy = false;
            return nowNanos;
        }
        long start = busy && freeAtNanos - nowNanos > 0 ? freeAtNanos : nowNanos;
        if (start - nowNanos > QUEUE_NANOS) {
            dropped++;
            return -1;
        }
        freeAtNanos = start + bytes * 8L * 1_000_000_000L / rate;
        busy = true;
        return freeAtNanos;
    }
}
