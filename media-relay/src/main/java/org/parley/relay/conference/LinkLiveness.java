package org.parley.relay.conference;

/**
 * Whether a relay-to-relay link's peer is still there. A live peer is never silent for long: it
 * announces its sources and sends an empty receiver report every link tick (500 ms), media or not, so a link that
 * authenticated nothing for {@link #DOWN_AFTER_NANOS} is down (the peer died, stopped, dropped its
 * end, or the network between them did). Counted and shown in the conference's stats, so that the
 * signaling node that made the link can see it; it stays open and is up again with the next packet
 * heard. Written by the link's receive thread (one volatile store a packet), read by the timer.
 */
final class LinkLiveness {

    /** Six announcements missed in a row: no packet loss or timer delay explains that. */
    static final long DOWN_AFTER_NANOS = 3_000_000_000L;

    private volatile long lastHeardNanos;
    private volatile boolean up = true;
    private volatile long downs;

    LinkLiveness(long nowNanos) {
        lastHeardNanos = nowNanos;
    }

    /** An authenticated packet arrived from the peer. */
    void heard(long nowNanos) {
        lastHeardNanos = nowNanos;
    }

    /** Re-evaluates (relay timer); true when the link just went down. */
    boolean check(long nowNanos) {
        boolean heard = nowNanos - lastHeardNanos < DOWN_AFTER_NANOS;
        if (up && !heard) {
            up = false;
            downs++;
            return true;
        }
        if (!up && heard) {
            up = true;
        }
        return false;
    }

    boolean up() {
        return up;
    }

    /** Times the link went down since it was made. */
    long downs() {
        return downs;
    }

    /** How long the peer has been silent, in milliseconds. */
    long silentMillis(long nowNanos) {
        return Math.max(0, (nowNanos - lastHeardNanos) / 1_000_000);
    }
}
