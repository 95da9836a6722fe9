package org.parley.signaling.auth;

/** A token that does not grant access, and whether it was merely expired. */
public final class InvalidTokenException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    /** Expired tokens get their own close code so clients know to refresh rather than give up. */
    public enum Kind {
        EXPIRED,
        INVALID
    }

    private final Kind kind;

    public InvalidTokenException(Kind kind, String message) {
        super(message);
        this.kind = kind;
    }

    public Kind kind() {
        return kind;
    }
}
