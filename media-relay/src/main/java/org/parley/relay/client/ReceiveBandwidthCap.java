package org.parley.relay.client;

/**
 * A token bucket in front of a test client's receiver, standing for a thin downlink: what arrives
 * beyond the rate (after a burst allowance) is dropped, as a policer or a full bottleneck queue
 * drops it. Off (everything passes) at rate 0. Checked on the receive thread only; the rate may
 * be changed from any thread.
 */
public final class ReceiveBandwidthCap {

    /**
     * Burst the bucket holds: 100 ms at the rate, and never less than two full-size packets, so a
     * video frame's packets arriving back to back are not all cut at a rate the link carries on
     * average.
     */
    static final long BURST_MICROS = 100_000;
    static final long MIN_BURST_BYTES = 3000;

    private volatile long rateBps;
    private double tokens;
    private long lastNanos = Long.MIN_VALUE;
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

    /** True when a packet of {@code bytes} arriving at {@code nowNanos} gets through. */
    public synchronized boolean admit(int bytes, long nowNanos) {
        long rate = rateBps;
        if (rate == 0) {
            lastNanos = Long.MIN_VALUE;
            return true;
        }
        double burst = Math.max(MIN_BURST_BYTES, rate / 8.0 * BURST_MICROS / 1e6);
        if (lastNanos == Long.MIN_VALUE) {
            tokens = burst;
        } else {
            tokens = Math.min(burst, tokens + rate / 8.0 * Math.max(0, nowNanos - lastNanos) / 1e9);
        }
        lastNanos = nowNanos;
        if (tokens >= bytes) {
            tokens -= bytes;
            return true;
        }
        dropped++;
        return false;
    }
}
