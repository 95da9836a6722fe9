package org.parley.signaling.wire;

/**
 * WebSocket close codes Parley uses (docs/protocol.md §10). 4000-4999 is the range RFC 6455
 * §7.4.2 reserves for applications.
 */
public enum CloseCode {
    NORMAL(1000, "normal"),
    GOING_AWAY(1001, "going_away"),
    MESSAGE_TOO_BIG(1009, "message_too_big"),
    INVALID_TOKEN(4001, "invalid_token"),
    TOKEN_EXPIRED(4002, "token_expired"),
    HELLO_TIMEOUT(4003, "hello_timeout"),
    REPLACED(4004, "replaced"),
    KEEPALIVE_TIMEOUT(4005, "keepalive_timeout"),
    RATE_LIMITED(4008, "rate_limited"),
    UNSUPPORTED_PROTOCOL(4009, "unsupported_protocol"),
    SLOW_CONSUMER(4010, "slow_consumer");

    private final int code;
    private final String reason;

    CloseCode(int code, String reason) {
        this.code = code;
        this.reason = reason;
    }

    public int code() {
        return code;
    }

    /** The close frame's reason text. */
    public String reason() {
        return reason;
    }
}
