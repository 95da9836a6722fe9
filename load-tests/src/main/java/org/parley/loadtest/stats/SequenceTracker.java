package org.parley.loadtest.stats;

/**
 * Counts what one receiver got of one RTP stream, from its 16-bit sequence numbers: packets
 * received, expected and lost, with wrap-around, reordering and duplicates handled as RFC 3550
 * Appendix A.1 and §6.4.1 describe ("extended highest sequence number" = cycles * 2^16 + highest).
 *
 * <p>One thread updates a tracker (the stream's receive path); any thread may read it, so the
 * counts are volatile and written only by that one thread.
 */
public final class SequenceTracker {

    /** Sequence numbers remembered to tell a duplicate from a late packet. */
    private static final int WINDOW = 4096;
    private static final int MASK = WINDOW - 1;

    private final long[] seen = new long[WINDOW];
    private volatile long received;
    private volatile long duplicates;
    private volatile long reordered;
    /** Extended sequence numbers; -1 until the first packet. */
    private volatile long highest = -1;
    private volatile long base = -1;

    public SequenceTracker() {
        java.util.Arrays.fill(seen, -1);
    }

    /** Records one packet's 16-bit sequence number; returns false for a duplicate (not counted). */
    public boolean onPacket(int sequenceNumber) {
        int seq = sequenceNumber & 0xFFFF;
        long ext;
        if (highest < 0) {
            // Start the extended space one cycle up so a reordered packet just before the first
            // one still has a non-negative extended number.
            ext = (1L << 16) + seq;
            base = ext;
            highest = ext;
        } else {
            // The signed 16-bit distance from the highest: positive is newer (possibly across the
            // wrap from 65535 to 0), negative is older (reordered or duplicate). RFC 3550 A.1
            // uses the same modular comparison.
            int delta = (short) (seq - (int) (highest & 0xFFFF));
            ext = highest + delta;
            if (ext < 0) {
                return false;
            }
            if (delta > 0) {
                highest = ext;
            } else {
                if (seen[(int) (ext & MASK)] == ext) {
                    duplicates++;
                    return false;
                }
                reordered++;
                if (ext < base) {
                    base = ext;
                }
            }
        }
        seen[(int) (ext & MASK)] = ext;
        received++;
        return true;
    }

    /** Packets received once each (duplicates left out). */
    public long received() {
        return received;
    }

    /** Packets expected: extended highest - first + 1 (RFC 3550 A.3). */
    public long expected() {
        long h = highest;
        return h < 0 ? 0 : h - base + 1;
    }

    /** Packets expected but not (yet) received; never negative. */
    public long lost() {
        return Math.max(0, expected() - received);
    }

    public long duplicates() {
        return duplicates;
    }

    /**
     * Packets missing among the last {@code span} up to the highest (at most the remembered
     * window): the gaps a retransmission or a late packet may still fill. A stop waits on these
     * so that a packet in repair is not counted as lost while the total would count it received.
     */
    public int missingNearHighest(int span) {
        long h = highest;
        if (h < 0) {
            return 0;
        }
        long from = Math.max(base, h - Math.min(span, WINDOW) + 1);
        int missing = 0;
        for (long ext = from; ext <= h; ext++) {
            if (seen[(int) (ext & MASK)] != ext) {
                missing++;
            }
        }
        return missing;
    }

    /** Packets that arrived after a newer one (counted as received). */
    public long reordered() {
        return reordered;
    }

    /** The extended highest sequence number seen, or -1. */
    public long extendedHighest() {
        return highest;
    }
}
