package org.parley.loadtest.stats;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class SequenceTrackerTest {

    private static SequenceTracker feed(int... seqs) {
        SequenceTracker t = new SequenceTracker();
        for (int s : seqs) {
            t.onPacket(s);
        }
        return t;
    }

    @Test
    void inOrderStreamHasNoLoss() {
        SequenceTracker t = new SequenceTracker();
        for (int i = 100; i < 1100; i++) {
            t.onPacket(i);
        }
        assertEquals(1000, t.received());
        assertEquals(1000, t.expected());
        assertEquals(0, t.lost());
    }

    @Test
    void gapsCountAsLost() {
        SequenceTracker t = feed(10, 11, 14, 15, 20);
        assertEquals(11, t.expected());
        assertEquals(5, t.received());
        assertEquals(6, t.lost());
    }

    @Test
    void wrapAroundFrom65535ToZeroIsContinuous() {
        SequenceTracker t = new SequenceTracker();
        for (int i = 65_530; i < 65_530 + 20; i++) {
            t.onPacket(i & 0xFFFF);
        }
        assertEquals(20, t.expected());
        assertEquals(0, t.lost());
        assertEquals((1L << 16) + 65_530 + 19, t.extendedHighest(), "one cycle added at the wrap");
    }

    @Test
    void lossAcrossTheWrapIsCounted() {
        SequenceTracker t = feed(65_534, 65_535, 2, 3);
        assertEquals(6, t.expected());
        assertEquals(2, t.lost(), "0 and 1 missing");
    }

    @Test
    void manyCyclesKeepCounting() {
        SequenceTracker t = new SequenceTracker();
        for (long i = 0; i < 200_000; i++) {
            if (i % 1000 != 7) {
                t.onPacket((int) (i & 0xFFFF));
            }
        }
        assertEquals(200_000, t.expected());
        assertEquals(200, t.lost());
    }

    @Test
    void aLatePacketFillsItsGap() {
        SequenceTracker t = feed(1, 2, 4, 5);
        assertEquals(1, t.lost());
        t.onPacket(3);
        assertEquals(0, t.lost());
        assertEquals(1, t.reordered());
    }

    @Test
    void reorderingAcrossTheWrap() {
        SequenceTracker t = feed(65_534, 0, 65_535, 1);
        assertEquals(4, t.expected());
        assertEquals(0, t.lost());
    }

    @Test
    void aPacketOlderThanTheFirstExtendsTheStreamBackwards() {
        SequenceTracker t = feed(500, 501, 499);
        assertEquals(3, t.expected());
        assertEquals(0, t.lost());
        SequenceTracker w = feed(0, 65_535);
        assertEquals(2, w.expected(), "the packet before 0 across the wrap");
        assertEquals(0, w.lost());
    }

    @Test
    void duplicatesAreNotCountedTwice() {
        SequenceTracker t = new SequenceTracker();
        assertTrue(t.onPacket(7));
        assertTrue(t.onPacket(8));
        assertFalse(t.onPacket(8));
        assertFalse(t.onPacket(7));
        assertEquals(2, t.received());
        assertEquals(2, t.duplicates());
        assertEquals(0, t.lost());
    }

    @Test
    void emptyTrackerExpectsNothing() {
        SequenceTracker t = new SequenceTracker();
        assertEquals(0, t.expected());
        assertEquals(0, t.lost());
        assertEquals(-1, t.extendedHighest());
    }
}
