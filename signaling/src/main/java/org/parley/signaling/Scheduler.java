package org.parley.signaling;

import java.time.Duration;

/**
 * Runs a task later. Injected so that ring timeouts, resume grace periods and token expiry are
 * tested by moving a clock rather than by sleeping.
 */
public interface Scheduler {

    /** Runs {@code task} after {@code delay}; the returned timer cancels it. */
    Timer schedule(Duration delay, Runnable task);

    /** A scheduled task that may still be cancelled. */
    interface Timer {
        /** Cancels the task if it has not run; harmless afterwards. */
        void cancel();
    }
}
