package org.parley.relay.control;

/** A typed refusal from the relay; signaling maps the reason onto its own error codes. */
public final class RelayException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    /** Why the relay refused. */
    public enum Reason {
        UNKNOWN_CONFERENCE,
        UNKNOWN_ENDPOINT,
        ENDPOINT_EXISTS,
        BAD_SDP,
        WRONG_STATE,
        CAPACITY,
        UNAVAILABLE
    }

    private final Reason reason;

    public RelayException(Reason reason, String message) {
        super(message);
        this.reason = reason;
    }

    public Reason reason() {
        return reason;
    }
}
