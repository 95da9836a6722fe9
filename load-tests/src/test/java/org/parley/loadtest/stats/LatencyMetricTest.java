package org.parley.loadtest.stats;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

class LatencyMetricTest {

    @Test
    void percentilesOfAUniformSpread() {
        LatencyMetric m = new LatencyMetric("x");
        for (int ms = 1; ms <= 1000; ms++) {
            m.recordMicros(ms * 1000L);
        }
        Percentiles p = m.sampleInterval();
        assertEquals(1000, p.count());
        // HdrHistogram with 3 significant digits: within 0.1 %.
        assertEquals(500, p.p50(), 0.5);
        assertEquals(900, p.p90(), 0.9);
        assertEquals(990, p.p99(), 1.0);
        assertEquals(1000, p.max(), 1.0);
        assertEquals(500.5, p.mean(), 0.5);
    }

    @Test
    void intervalsResetAndTheTotalAccumulates() {
        LatencyMetric m = new LatencyMetric("x");
        m.recordNanos(2_000_000);
        m.recordNanos(4_000_000);
        Percentiles first = m.sampleInterval();
        assertEquals(2, first.count());
        assertEquals(4.0, first.max(), 0.01);
        m.recordNanos(10_000_000);
        Percentiles second = m.sampleInterval();
        assertEquals(1, second.count());
        assertEquals(10.0, second.p50(), 0.01);
        assertEquals(Percentiles.EMPTY, m.sampleInterval());
        Percentiles total = m.total();
        assertEquals(3, total.count());
        assertEquals(10.0, total.max(), 0.01);
        assertEquals(4.0, total.p50(), 0.01);
    }

    @Test
    void outOfRangeValuesAreClampedNotLost() {
        LatencyMetric m = new LatencyMetric("x");
        m.recordMicros(-5);
        m.recordMicros(LatencyMetric.HIGHEST_MICROS * 10);
        Percentiles p = m.sampleInterval();
        assertEquals(2, p.count());
        assertEquals(LatencyMetric.HIGHEST_MICROS / 1000.0, p.max(), 60);
    }
}
