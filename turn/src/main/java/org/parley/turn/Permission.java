package org.parley.turn;

import java.net.InetAddress;

/**
 * A permission (RFC 8656 §9): lets one peer IP address (any port) send to the allocation. Lasts
 * 300 s unless refreshed by CreatePermission or ChannelBind; it cannot be deleted explicitly.
 */
final class Permission {
    private final InetAddress peer;
    private long expiresAtMillis;

    Permission(InetAddress peer, long expiresAtMillis) {
        this.peer = peer;
        this.expiresAtMillis = expiresAtMillis;
    }

    InetAddress peer() {
        return peer;
    }

    long expiresAtMillis() {
        return expiresAtMillis;
    }

    void refresh(long expiresAtMillis) {
        this.expiresAtMillis = expiresAtMillis;
    }
}
