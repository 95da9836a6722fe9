package org.parley.relay.bwe;

import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicLongArray;

/**
 * The transport-wide sequence numbers the relay gave the packets of one subscriber connection,
 * with each packet's send time, size and probe cluster, so that the receiver's feedback (which
 * names packets by sequence number only) can be turned into delays and rates. A ring of
 * {@value #CAPACITY} slots allocated once; several publisher threads send to one receiver, so a
 * number is taken with one atomic increment and a slot is published by writing its sequence
 * number last (no lock, nothing allocated per packet).
 */
public final class SendHistory {

    /**
     * Slots kept: about 5 s of a 10 Mbit/s downlink in 1200-byte packets, far longer than feedback
     * takes to come back (browsers send it every 50 to 100 ms).
     */
    static final int CAPACITY = 1 << 12;
    private static final int MASK = CAPACITY - 1;

    /** Not a probe packet. */
    public static final int NO_CLUSTER = -1;

    private final AtomicLong next = new AtomicLong();
    private final AtomicLongArray sequences = new AtomicLongArray(CAPACITY);
    private final long[] sentNanos = new long[CAPACITY];
    private final int[] sizes = new int[CAPACITY];
    private final int[] clusters = new int[CAPACITY];

    public SendHistory() {
        for (int i = 0; i < CAPACITY; i++) {
            sequences.set(i, -1);
        }
    }

    /**
     * Takes the next transport-wide sequence number for a packet of {@code size} bytes sent now;
     * returns its 16-bit form, the value that goes on the wire.
     */
    public int record(int size, long nowNanos, int cluster) {
        long seq = next.getAndIncrement();
        int i = (int) (seq & MASK);
        sequences.lazySet(i, -1);
        sentNanos[i] = nowNanos;
        sizes[i] = size;
        clusters[i] = cluster;
        sequences.set(i, seq);
        return (int) (seq & 0xFFFF);
    }

    /**
     * The full sequence number a 16-bit one from feedback stands for: the most recent one sent
     * with those low bits; -1 when it is no longer (or not yet) in the ring.
     */
    public long lookup(int sequence16) {
        long newest = next.get() - 1;
        if (newest < 0) {
            return -1;
        }
        long seq = newest - ((newest - sequence16) & 0xFFFF);
        if (seq < 0 || sequences.get((int) (seq & MASK)) != seq) {
            return -1;
        }
        return seq;
    }

    public long sentNanos(long seq) {
        return sentNanos[(int) (seq & MASK)];
    }

    public int size(long seq) {
        return sizes[(int) (seq & MASK)];
    }

    public int cluster(long seq) {
        return clusters[(int) (seq & MASK)];
    }
}
