package org.parley.loadtest.stats;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.Test;

class JitterEstimatorTest {

    private static final long MS = 1_000_000L;

    @Test
    void evenlySpacedPacketsHaveNoJitter() {
        JitterEstimator j = new JitterEstimator(48_000);
        for (int i = 0; i < 100; i++) {
            // 20 ms apart on the wire and 960 timestamp units (20 ms at 48 kHz) apart in the stream.
            j.onPacket(1_000 * MS + i * 20 * MS, 5_000 + i * 960);
        }
        assertEquals(0.0, j.jitter(), 1e-9);
    }

    @Test
    void followsTheRfc3550Recurrence() {
        // Clock rate 1000: one unit is one millisecond, so arrival offsets map to units directly.
        JitterEstimator j = new JitterEstimator(1000);
        long[] arrivalsMs = {0, 20, 45, 60, 85};
        int[] timestamps = {0, 20, 40, 60, 80};
        double expected = 0;
        for (int i = 0; i < arrivalsMs.length; i++) {
            j.onPacket(arrivalsMs[i] * MS, timestamps[i]);
            if (i > 0) {
                double d = (arrivalsMs[i] - arrivalsMs[i - 1]) - (timestamps[i] - timestamps[i - 1]);
                expected += (Math.abs(d) - expected) / 16;
            }
        }
        // D values: 0, 5, -5, 5 -> J = 0, 0.3125, 0.6055, 0.8802
        assertEquals(expected, j.jitter(), 1e-9);
        assertEquals(0.8802, j.jitter(), 1e-4);
        assertEquals(0.8802, j.jitterMillis(), 1e-4);
    }

    @Test
    void timestampWrapAroundIsNotAJump() {
        JitterEstimator j = new JitterEstimator(90_000);
        int ts = Integer.MAX_VALUE - 3000 * 2;
        for (int i = 0; i < 10; i++) {
            // 3000 units = 33.3 ms at 90 kHz; the int overflows past MAX_VALUE on the way.
            j.onPacket(i * 3000L * 1_000_000_000L / 90_000, ts);
            ts += 3000;
        }
        assertEquals(0.0, j.jitter(), 1.0);
    }

    @Test
    void rejectsAZeroClockRate() {
        assertThrows(IllegalArgumentException.class, () -> new JitterEstimator(0));
    }
}
