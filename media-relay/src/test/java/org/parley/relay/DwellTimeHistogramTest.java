package org.parley.relay;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.management.ManagementFactory;
import java.util.Random;
import org.junit.jupiter.api.Test;

class DwellTimeHistogramTest {

    @Test
    void everyValueFallsIntoABucketThatHoldsItWithinOneEighth() {
        Random random = new Random(7);
        for (int i = 0; i < 100_000; i++) {
            long v = random.nextInt(4) == 0 ? random.nextInt(100) : (long) Math.pow(10, random.nextDouble() * 10);
            int bucket = DwellTimeHistogram.bucketOf(v);
            long upper = DwellTimeHistogram.upperBound(bucket);
            long lowerOfBucket = bucket == 0 ? 0 : DwellTimeHistogram.upperBound(bucket - 1) + 1;
            assertTrue(v >= lowerOfBucket && v <= upper, v + " in [" + lowerOfBucket + ", " + upper + "]");
            assertTrue(upper - v <= Math.max(1, v / 8), "bucket too wide at " + v);
        }
    }

    @Test
    void quantilesOfAKnownDistribution() {
        DwellTimeHistogram h = new DwellTimeHistogram();
        long[] before = h.snapshot();
        // 990 packets at 20 us, 9 at 1 ms, 1 at 50 ms.
        for (int i = 0; i < 990; i++) {
            h.record(20_000);
        }
        for (int i = 0; i < 9; i++) {
            h.record(1_000_000);
        }
        h.record(50_000_000);
        long[] run = DwellTimeHistogram.since(before, h.snapshot());
        assertEquals(1000, DwellTimeHistogram.count(run));
        assertWithin(20_000, DwellTimeHistogram.quantile(run, 0.5));
        assertWithin(20_000, DwellTimeHistogram.quantile(run, 0.99));
        assertWithin(1_000_000, DwellTimeHistogram.quantile(run, 0.999));
        assertWithin(50_000_000, DwellTimeHistogram.quantile(run, 1.0));
        assertEquals(0, DwellTimeHistogram.quantile(new long[run.length], 0.99), "empty histogram");
    }

    @Test
    void recordingAllocatesNothing() {
        DwellTimeHistogram h = new DwellTimeHistogram();
        var mx = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
        long id = Thread.currentThread().getId();
        for (int i = 0; i < 200_000; i++) {
            h.record(i * 37L); // warm up, let the JIT compile record()
        }
        long before = mx.getThreadAllocatedBytes(id);
        for (int i = 0; i < 1_000_000; i++) {
            h.record(i * 53L);
        }
        long allocated = mx.getThreadAllocatedBytes(id) - before;
        assertTrue(allocated < 10_000, "recording 1,000,000 values allocated " + allocated + " bytes");
    }

    private static void assertWithin(long expected, long actual) {
        assertTrue(actual >= expected && actual <= expected + expected / 8, "expected ~" + expected + ", got " + actual);
    }
}
