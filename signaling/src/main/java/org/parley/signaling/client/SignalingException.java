package org.parley.signaling.client;

import com.fasterxml.jackson.databind.JsonNode;

/** A request the server refused: carries the error's code (docs/protocol.md §9). */
public final class SignalingException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    private final String code;
    private final transient JsonNode error;

    public SignalingException(String code, String message, JsonNode error) {
        super(code + ": " + message);
        this.code = code;
        this.error = error;
    }

    /** The error code, e.g. {@code wrong_state}; {@code closed} or {@code timeout} for local failures. */
    public String code() {
        return code;
    }

    /** The error message as received, or null for local failures. */
    public JsonNode error() {
        return error;
    }
}
