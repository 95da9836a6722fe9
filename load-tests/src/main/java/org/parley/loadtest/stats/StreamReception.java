package org.parley.loadtest.stats;

/**
 * One receiver's view of one sender's source: loss counted against what the sender sent, from
 * the first packet this receiver got (the sender's payload counter, RFC 3550 A.3's "expected"
 * over counters the relay cannot rewrite), gaps and reordering through a {@link SequenceTracker},
 * a silent tail (the stream stopped while the sender went on) from the sender's own count, and
 * interarrival jitter (RFC 3550 section 6.4.1).
 *
 * <p>One receive thread updates a reception; any thread may read it.
 */
public final class StreamReception {

    /** Jitter is computed in 90 kHz units of the sender's send time (video's RTP clock rate). */
    private static final int JITTER_CLOCK = 90_000;
    /** A stream is flowing while its last packet is at most this old (the slowest source sends a frame a second). */
    private static final long FLOWING_NANOS = 2_000_000_000L;

    /** How far back a gap may still be filled by a retransmission, in packets. */
    static final int REPAIR_SPAN = 128;

    private final SentStream source;
    /**
     * False for a simulcast camera: the receiver gets one of its layers, numbered by the relay
     * (continuous across layer switches), so loss is what the relay's sequence numbers miss and
     * the sender's own count (all layers) says nothing of what this receiver should have.
     */
    private final boolean followsSender;
    private final SequenceTracker sequence = new SequenceTracker();
    private final JitterEstimator jitter = new JitterEstimator(JITTER_CLOCK);
    private volatile long highestCounter = -1;
    private volatile long lastArrivalNanos;
    private volatile boolean closed;

    public StreamReception(SentStream source) {
        this(source, true);
    }

    /** @param followsSender false: {@link #onPacket} gets the relay's sequence numbers, no silent tail is counted */
    public StreamReception(SentStream source, boolean followsSender) {
        this.source = source;
        this.followsSender = followsSender;
    }

    public boolean followsSender() {
        return followsSender;
    }

    /** One packet: the sender's payload counter, when it arrived and when it was sent (one clock). */
    public void onPacket(int counter, long receivedNanos, long sentNanos) {
        if (closed) {
            return; // a packet handled after the receiver left would change figures already reported
        }
        if (sequence.onPacket(counter & 0xFFFF) && counter > highestCounter) {
            highestCounter = counter;
        }
        jitter.onPacket(receivedNanos, (int) (sentNanos * JITTER_CLOCK / 1_000_000_000L));
        lastArrivalNanos = receivedNanos;
    }

    /** Packets sent (and settled) but never seen after the last one that arrived: a stream that stopped. */
    private long tail() {
        long h = highestCounter;
        return h < 0 || !followsSender ? 0 : Math.max(0, source.settled() - 1 - h);
    }

    /** Packets this receiver should have had, from its first one on. */
    public long expected() {
        return sequence.expected() + tail();
    }

    public long received() {
        return sequence.received();
    }

    public long lost() {
        return sequence.lost() + tail();
    }

    public double jitterMillis() {
        return jitter.jitterMillis();
    }

    public SentStream source() {
        return source;
    }

    /**
     * Packets missing among the last {@value #REPAIR_SPAN} up to the newest that arrived: the
     * ones a NACK may still bring, or that are merely late.
     */
    public int gapsInRepair() {
        return sequence.missingNearHighest(REPAIR_SPAN);
    }

    /** The highest counter received, -1 before the first packet. */
    public long highestCounter() {
        return highestCounter;
    }

    /** True while packets arrive (the last within 2 s) and the receiver is still there. */
    public boolean flowing(long nowNanos) {
        return !closed && highestCounter >= 0 && nowNanos - lastArrivalNanos < FLOWING_NANOS;
    }

    /** The receiver left: the stream is no longer flowing; its figures stay as they are now. */
    public void close() {
        closed = true;
    }
}
