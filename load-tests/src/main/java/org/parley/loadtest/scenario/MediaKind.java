package org.parley.loadtest.scenario;

/**
 * What a simulated sender publishes: microphone, camera or screen share (the relay's source
 * kinds). The kind travels in each payload ({@link MediaPayload}), so a receiver counts its
 * streams per kind without knowing how the relay rewrote SSRCs.
 */
public enum MediaKind {
    AUDIO,
    VIDEO,
    SCREEN;

    /** Lower-case name used in counter and latency names ({@code packets.received.screen}). */
    public String label() {
        return name().toLowerCase(java.util.Locale.ROOT);
    }

    public boolean isVideo() {
        return this != AUDIO;
    }

    /** The kind written by {@link MediaPayload#write}, or null for a value no sender writes. */
    static MediaKind of(int wire) {
        MediaKind[] all = values();
        return wire >= 0 && wire < all.length ? all[wire] : null;
    }
}
