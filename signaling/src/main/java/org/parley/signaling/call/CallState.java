package org.parley.signaling.call;

/** The server-owned state of a one-to-one call (docs/protocol.md §5.1). */
public enum CallState {
    /** Invited; callee devices ring (or a push is on its way). */
    RINGING,
    /** A callee device accepted; the two active devices set up media. */
    CONNECTING,
    /** An active device reported media flowing. */
    ACTIVE,
    /** Over; final. */
    ENDED;

    /** Accepted and not ended: the two parties are in the call. */
    public boolean established() {
        return this == CONNECTING || this == ACTIVE;
    }

    public boolean live() {
        return this != ENDED;
    }

    public String wireName() {
        return name().toLowerCase(java.util.Locale.ROOT);
    }
}
