package org.parley.turn;

import java.net.InetSocketAddress;

/**
 * The client's 5-tuple (RFC 8656 §2): client address and port, server address and port, transport.
 * An allocation is identified by it (§7).
 */
record FiveTuple(TransportProtocol protocol, InetSocketAddress client, InetSocketAddress server) {
    @Override
    public String toString() {
        return protocol.lowerName() + " " + client + " -> " + server;
    }
}
