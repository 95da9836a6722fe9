package org.parley.relay.conference;

/**
 * Whoever feeds a {@link Source}: a local {@link Endpoint}, or a publisher on a linked relay whose
 * packets arrive over a relay-to-relay link ({@link RemotePublisher}). Receivers treat both alike.
 */
interface Publisher {

    /** The endpoint id, as receivers see it in msid and stats. */
    String id();

    /** Publisher header-extension id to the relay's forwarding id (0: drop), see PublisherOffer. */
    byte[] forwardingExtensionMap();

    /** Asks the publisher for a keyframe on one of its SSRCs (RFC 4585 section 6.3.1 PLI). */
    void sendPli(long mediaSsrc);

    /** Loudness of the last second, 0 (silent) .. 127 (0 dBov): the active-speaker detector's input. */
    double speechScore(long nowNanos);

    /** Runs a task later on the relay's timer (not on a packet thread). */
    void schedule(Runnable task, long delayNanos);

    /**
     * A receiver NACKed packet {@code sequence} of SSRC {@code ssrc}, which this relay does not
     * have. A local publisher's loss was asked for when the gap showed; a linked relay's publisher
     * asks the link again (docs/cluster.md "Cascading").
     */
    default void packetMissing(long ssrc, int sequence, long nowNanos) {
    }
}
