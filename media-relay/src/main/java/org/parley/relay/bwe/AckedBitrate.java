package org.parley.relay.bwe;

/**
 * What the receiver actually received, from its feedback: bytes of acknowledged packets by
 * arrival time, in {@value #BUCKETS} buckets of {@value #BUCKET_MICROS} µs (a sliding window of
 * half a second, as Chromium's acknowledged-bitrate estimator). Long enough to span a frame
 * burst and a feedback interval; short enough to follow a change within a second.
 */
final class AckedBitrate {

    static final int BUCKETS = 5;
    static final long BUCKET_MICROS = 100_000;
    /** The window plus the bucket still filling. */
    private static final int SLOTS = BUCKETS + 1;

    private final long[] bytes = new long[SLOTS];
    private final long[] index = new long[SLOTS];
    private long newest = Long.MIN_VALUE;
    private long first = Long.MIN_VALUE;

    AckedBitrate() {
        java.util.Arrays.fill(index, Long.MIN_VALUE);
    }

    void onAcked(long arrivalMicros, int size) {
        long b = Math.floorDiv(arrivalMicros, BUCKET_MICROS);
        if (first == Long.MIN_VALUE) {
            first = b;
        }
        if (b > newest) {
            newest = b;
        }
        if (b <= newest - SLOTS) {
            return; // older than the window
        }
        int slot = (int) Math.floorMod(b, SLOTS);
        if (index[slot] != b) {
            index[slot] = b;
            bytes[slot] = 0;
        }
        bytes[slot] += size;
    }

    /** Bits per second over the window; 0 until a whole window has been seen. */
    long bps() {
        if (first == Long.MIN_VALUE || newest - first < BUCKETS) {
            return 0;
        }
        long sum = 0;
        // The newest bucket is still filling: the window is the BUCKETS before it.
        for (int k = 1; k <= BUCKETS; k++) {
            long b = newest - k;
            int slot = (int) Math.floorMod(b, SLOTS);
            if (index[slot] == b) {
                sum += bytes[slot];
            }
        }
        return sum * 8 * 1_000_000 / (BUCKETS * BUCKET_MICROS);
    }
}
