package org.parley.signaling.wire;

import java.util.Locale;

/** The typed errors of protocol version 1 (docs/protocol.md §9). */
public enum ErrorCode {
    MALFORMED_JSON,
    MALFORMED_MESSAGE,
    UNKNOWN_TYPE,
    MISSING_FIELD,
    INVALID_FIELD,
    NOT_AUTHENTICATED,
    ALREADY_AUTHENTICATED,
    UNSUPPORTED_PROTOCOL,
    INVALID_TOKEN,
    TOKEN_EXPIRED,
    TOKEN_MISMATCH,
    RATE_LIMITED,
    WRONG_STATE,
    UNKNOWN_CALL,
    UNKNOWN_ROOM,
    UNKNOWN_PARTICIPANT,
    UNKNOWN_DEVICE,
    ROOM_EXISTS,
    ROOM_LOCKED,
    ROOM_FULL,
    FORBIDDEN,
    REMOVED,
    INVITE_REVOKED,
    DRAINING,
    BAD_SDP,
    RELAY_UNAVAILABLE,
    RELAY_ERROR,
    E2EE_REQUIRED,
    INTERNAL;

    private final String wire = name().toLowerCase(Locale.ROOT);

    /** The snake_case code sent to clients. */
    public String wireName() {
        return wire;
    }
}
