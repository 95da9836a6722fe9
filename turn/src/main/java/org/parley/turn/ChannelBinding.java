package org.parley.turn;

import java.net.InetSocketAddress;

/**
 * A channel binding (RFC 8656 §11): a channel number (0x4000-0x7FFF, see ChannelData) standing for one peer transport
 * address in ChannelData messages. Lasts 600 s unless refreshed by another ChannelBind; after that it
 * is held down for 5 minutes (see ChannelHoldDown).
 */
final class ChannelBinding {
    private final int number;
    private final InetSocketAddress peer;
    private long expiresAtMillis;

    ChannelBinding(int number, InetSocketAddress peer, long expiresAtMillis) {
        this.number = number;
        this.peer = peer;
        this.expiresAtMillis = expiresAtMillis;
    }

    int number() {
        return number;
    }

    InetSocketAddress peer() {
        return peer;
    }

    long expiresAtMillis() {
        return expiresAtMillis;
    }

    void refresh(long expiresAtMillis) {
        this.expiresAtMillis = expiresAtMillis;
    }
}
