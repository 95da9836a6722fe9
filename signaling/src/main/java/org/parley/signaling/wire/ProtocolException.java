package org.parley.signaling.wire;

/**
 * A request the server refuses with a typed error. Handlers throw it before changing any state,
 * so a refused request changes nothing.
 */
public final class ProtocolException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    private final ErrorCode code;

    public ProtocolException(ErrorCode code, String message) {
        super(message, null, false, false);
        this.code = code;
    }

    public ErrorCode code() {
        return code;
    }

    public static ProtocolException wrongState(String message) {
        return new ProtocolException(ErrorCode.WRONG_STATE, message);
    }

    public static ProtocolException invalid(String field, String why) {
        return new ProtocolException(ErrorCode.INVALID_FIELD, "'" + field + "' " + why);
    }
}
