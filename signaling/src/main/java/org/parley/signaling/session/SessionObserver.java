package org.parley.signaling.session;

/** Told when sessions begin and end, so calls and rooms can follow. Loop thread. */
public interface SessionObserver {

    /** A new (not resumed) session signed in. */
    default void sessionStarted(Session session) {
    }

    /**
     * A session is over for good (bye, replaced, grace period passed).
     *
     * @param reason the call end reason to use: {@code hangup} after bye, else {@code connection_lost}
     */
    void sessionEnded(Session session, String reason);
}
