package org.parley.relay.transport;

/**
 * What a packet sent to a peer carries, for a receiver's send queue: what it gives up first when
 * the receiver cannot keep up, and the {@code kind} its drops are counted under.
 */
public enum SendKind {
    /** Audio RTP: small, and a gap is heard at once. */
    AUDIO,
    /** Video RTP and retransmissions (RTX): the bulk of the bytes, repaired by NACK and PLI. */
    VIDEO,
    /** The relay's own RTCP (sender and receiver reports, feedback): small, keeps sync and rate control. */
    RTCP;

    /** True for the kind a full queue refuses first. */
    boolean yieldsFirst() {
        return this == VIDEO;
    }

    /** The metric label. */
    public String label() {
        return name().toLowerCase(java.util.Locale.ROOT);
    }
}
