package org.parley.relay.rtp;

/**
 * The last packets of one source stream, unencrypted and as the publisher sent them, so the relay
 * can answer a receiver's NACK (RFC 4585 section 6.2.1) itself instead of asking the publisher.
 * Slots are arrays allocated once; a slot is indexed by sequence number.
 */
public final class RetransmissionCache {

    private final byte[][] slots;
    private final int[] lengths;
    private final int[] sequences;
    private final long[] storedNanos;
    private final long maxAgeNanos;

    /** @param capacity a power of two: how many recent packets are kept */
    public RetransmissionCache(int capacity, long maxAgeNanos) {
        if (Integer.bitCount(capacity) != 1) {
            throw new IllegalArgumentException("capacity must be a power of two");
        }
        this.slots = new byte[capacity][];
        this.lengths = new int[capacity];
        this.sequences = new int[capacity];
        this.storedNanos = new long[capacity];
        this.maxAgeNanos = maxAgeNanos;
        java.util.Arrays.fill(sequences, -1);
    }

    /** Keeps a copy of a plaintext RTP packet. */
    public void store(byte[] b, int off, int len, long nowNanos) {
        int seq = RtpPacket.sequence(b, off);
        int i = seq & (slots.length - 1);
        synchronized (this) {
            byte[] slot = slots[i];
            if (slot == null || slot.length < len) {
                slot = new byte[Math.max(len, 1500)];
                slots[i] = slot;
            }
            System.arraycopy(b, off, slot, 0, len);
            lengths[i] = len;
            sequences[i] = seq;
            storedNanos[i] = nowNanos;
        }
    }

    /**
     * Copies the packet with sequence number {@code seq} into {@code out} at 0; returns its length,
     * or -1 when it is gone or too old to be useful.
     */
    public int copy(int seq, byte[] out, long nowNanos) {
        int i = seq & (slots.length - 1);
        synchronized (this) {
            if (sequences[i] != seq || nowNanos - storedNanos[i] > maxAgeNanos || lengths[i] > out.length) {
                return -1;
            }
            System.arraycopy(slots[i], 0, out, 0, lengths[i]);
            return lengths[i];
        }
    }
}
