package org.parley.relay;

import java.util.concurrent.atomic.AtomicLongArray;

/**
 * How long forwarded packets stay inside the relay: from the moment the relay's receive thread
 * has the datagram to the moment the last copy for a receiver has been handed to the socket.
 * Log-scale buckets, 8 per power of two (each at most 12.5% wide), recorded without allocation
 * or locks so it can sit on the packet path; quantiles are read from a snapshot.
 */
public final class DwellTimeHistogram {

    /** Sub-buckets per power of two: 2^3, so a bucket spans at most 1/8 of its lower bound. */
    private static final int SUB_BITS = 3;
    private static final int SUBS = 1 << SUB_BITS;
    /** Values below 2^SUB_BITS ns get one bucket each; the top bucket holds everything >= ~68 s. */
    private static final int BUCKETS = (37 - SUB_BITS) * SUBS + SUBS;

    private final AtomicLongArray counts = new AtomicLongArray(BUCKETS);

    /** Records one packet's dwell time in nanoseconds (negative values count as 0). */
    public void record(long nanos) {
        counts.incrementAndGet(bucketOf(nanos));
    }

    static int bucketOf(long nanos) {
        if (nanos < SUBS) {
            return (int) Math.max(0, nanos);
        }
        int exponent = 63 - Long.numberOfLeadingZeros(nanos);
        int sub = (int) (nanos >>> (exponent - SUB_BITS)) & (SUBS - 1);
        int index = (exponent - SUB_BITS + 1) * SUBS + sub;
        return Math.min(index, BUCKETS - 1);
    }

    /** The largest value (nanoseconds) that falls into a bucket: quantiles are reported as that. */
    static long upperBound(int bucket) {
        if (bucket < SUBS) {
            return bucket;
        }
        int exponent = bucket / SUBS - 1 + SUB_BITS;
        long sub = bucket % SUBS;
        long lower = (1L << exponent) + (sub << (exponent - SUB_BITS));
        return lower + (1L << (exponent - SUB_BITS)) - 1;
    }

    /** A copy of the bucket counts, to subtract from a later one (see {@link #quantile(long[], double)}). */
    public long[] snapshot() {
        long[] out = new long[BUCKETS];
        for (int i = 0; i < BUCKETS; i++) {
            out[i] = counts.get(i);
        }
        return out;
    }

    /** Counts recorded between two snapshots. */
    public static long[] since(long[] before, long[] after) {
        long[] out = new long[after.length];
        for (int i = 0; i < after.length; i++) {
            out[i] = after[i] - before[i];
        }
        return out;
    }

    public static long count(long[] snapshot) {
        long n = 0;
        for (long c : snapshot) {
            n += c;
        }
        return n;
    }

    /**
     * The q-quantile (0..1) in nanoseconds, as the upper bound of the bucket it falls in (so it
     * overstates by at most 12.5%); 0 when nothing was recorded.
     */
    public static long quantile(long[] snapshot, double q) {
        long total = count(snapshot);
        if (total == 0) {
            return 0;
        }
        long rank = (long) Math.ceil(q * total);
        long seen = 0;
        for (int i = 0; i < snapshot.length; i++) {
            seen += snapshot[i];
            if (seen >= Math.max(1, rank)) {
                return upperBound(i);
            }
        }
        return upperBound(snapshot.length - 1);
    }

    /** The q-quantile of everything recorded so far, in nanoseconds. */
    public long quantile(double q) {
        return quantile(snapshot(), q);
    }
}
