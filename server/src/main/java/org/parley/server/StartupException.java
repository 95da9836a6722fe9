package org.parley.server;

/** Start-up failed for a reason the operator can fix; the message says which and how. */
public final class StartupException extends Exception {

    private static final long serialVersionUID = 1L;

    public StartupException(String message, Throwable cause) {
        super(message, cause);
    }
}
