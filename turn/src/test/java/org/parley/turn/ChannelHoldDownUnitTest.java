package org.parley.turn;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.InetSocketAddress;
import org.junit.jupiter.api.Test;

/** The hold-down bookkeeping on its own, with times in milliseconds (RFC 8656 §12: 5 minutes). */
class ChannelHoldDownUnitTest {
    private static final long HOLD = ChannelHoldDown.HOLD_DOWN_MILLIS;
    private static final InetSocketAddress A = new InetSocketAddress("192.0.2.10", 5000);
    private static final InetSocketAddress B = new InetSocketAddress("192.0.2.11", 5000);

    @Test
    void aPeerHeldAgainUnderAnotherNumberStaysHeldWhenItsOlderEntryIsSwept() {
        ChannelHoldDown held = new ChannelHoldDown();
        held.hold(new ChannelBinding(0x4001, A, 0));
        // After the first hold-down: 0x4001 goes to B, and A gets bound to 0x4002, which expires later.
        held.hold(new ChannelBinding(0x4002, A, HOLD + 1_000));
        held.sweep(HOLD + 2_000);
        assertTrue(held.forbids(0x4003, A, HOLD + 2_000), "A is held by its 0x4002 binding");
        assertFalse(held.forbids(0x4001, B, HOLD + 2_000), "0x4001's hold-down is over");
        assertEquals(1, held.size());
    }

    @Test
    void releaseRevivesOnlyTheSamePair() {
        ChannelHoldDown held = new ChannelHoldDown();
        ChannelBinding binding = new ChannelBinding(0x4001, A, 0);
        held.hold(binding);
        assertNull(held.release(0x4001, B));
        assertEquals(binding, held.release(0x4001, A));
        assertFalse(held.forbids(0x4002, A, 1));
        assertEquals(0, held.size());
    }

    @Test
    void theHoldDownLastsFiveMinutesFromTheExpiry() {
        ChannelHoldDown held = new ChannelHoldDown();
        held.hold(new ChannelBinding(0x4001, A, 10_000));
        assertTrue(held.forbids(0x4001, B, 10_000 + HOLD - 1));
        assertFalse(held.forbids(0x4001, B, 10_000 + HOLD));
        assertFalse(held.forbids(0x4001, A, 10_000), "the same pair is never forbidden");
    }
}
