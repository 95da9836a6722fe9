package org.parley.relay.rtp;

import java.util.Arrays;

/**
 * Which packets of one incoming video stream the relay has asked the publisher to resend. A gap
 * in sequence numbers means packets lost between the publisher and the relay; the relay asks for
 * them once with a generic NACK (RFC 4585 section 6.2.1) and accepts a repair (RFC 4588 RTX, or
 * the plain packet again) only for a sequence number it asked for, so bandwidth probes that
 * Chromium sends as RTX are not forwarded as duplicates. One receive thread only; no allocation.
 *
 * <p>A relay-to-relay link (cascading) asks again for a packet its receivers still miss:
 * {@link #askAgain} allows that at most {@link #MAX_ASKS} times per number and once per interval,
 * so many receivers NACKing one lost packet cost the link one request, not one each. It may run on
 * other threads than the receive thread: a race there costs at most one extra request.
 */
public final class MissingPackets {

    /** Gaps longer than this are a stream reset or a long outage: asking is pointless then. */
    public static final int MAX_GAP = 64;
    /** Requests per missing packet, the first included: after that it is given up. */
    public static final int MAX_ASKS = 4;
    private static final int SLOTS = 1024;

    private final int[] requested = new int[SLOTS];
    /** When each requested number was last asked for (System.nanoTime) and how often. */
    private final long[] askedAt = new long[SLOTS];
    private final int[] asks = new int[SLOTS];
    private int highest = -1;

    public MissingPackets() {
        Arrays.fill(requested, -1);
    }

    /**
     * Notes a packet of the stream; writes the sequence numbers that went missing just before it
     * into {@code missing} (at most {@link #MAX_GAP}) and returns how many. Older packets and
     * duplicates return 0.
     */
    public int onPacket(int seq, int[] missing) {
        return onPacket(seq, missing, 0);
    }

    /** As {@link #onPacket(int, int[])}, noting {@code nowNanos} as when the missing ones are asked for. */
    public int onPacket(int seq, int[] missing, long nowNanos) {
        if (highest < 0) {
            highest = seq;
            return 0;
        }
        int ahead = (seq - highest) & 0xFFFF;
        if (ahead == 0 || ahead >= 0x8000) {
            return 0; // a duplicate or an older packet (a late one, or a repair)
        }
        int gap = ahead - 1;
        int from = highest + 1;
        highest = seq;
        if (gap == 0 || gap > MAX_GAP || gap > missing.length) {
            return 0;
        }
        for (int i = 0; i < gap; i++) {
            int s = (from + i) & 0xFFFF;
            requested[s % SLOTS] = s;
            askedAt[s % SLOTS] = nowNanos;
            asks[s % SLOTS] = 1;
            missing[i] = s;
        }
        return gap;
    }

    /** True, once, when {@code seq} is a packet the relay asked for and has not got yet. */
    public boolean takeRequested(int seq) {
        int slot = seq % SLOTS;
        if (requested[slot] != seq) {
            return false;
        }
        requested[slot] = -1;
        return true;
    }

    /**
     * True when {@code seq} is still missing, was last asked for at least {@code intervalNanos}
     * ago and fewer than {@link #MAX_ASKS} times: the caller asks again, now.
     */
    public boolean askAgain(int seq, long nowNanos, long intervalNanos) {
        int slot = seq % SLOTS;
        if (requested[slot] != seq || asks[slot] >= MAX_ASKS || nowNanos - askedAt[slot] < intervalNanos) {
            return false;
        }
        askedAt[slot] = nowNanos;
        asks[slot]++;
        return true;
    }
}
