package org.parley.turn;

/** How a client reaches the server (RFC 8656 §3.1: the 5-tuple's transport). */
enum TransportProtocol {
    UDP, TCP, TLS;

    boolean isStream() {
        return this != UDP;
    }

    String lowerName() {
        return name().toLowerCase(java.util.Locale.ROOT);
    }
}
