package org.parley.relay.control;

/** The two peer connections each client has with the relay; see {@link RelayControl}. */
public enum PeerConnectionRole {
    /** The client offers and sends its media on this connection. */
    PUBLISHER,
    /** The relay offers and sends subscribed media on this connection. */
    SUBSCRIBER
}
