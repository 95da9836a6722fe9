package org.parley.server;

import java.util.List;

/** One part of the process (signaling, relay, TURN) as the lifecycle sees it. */
interface Part extends AutoCloseable {

    /** The name used in logs, /health and metrics tags. */
    String name();

    /** Binds the part's listeners; returns one line per listener with its bound address. */
    List<String> start() throws Exception;

    /** Stops taking new work; what is live goes on. */
    default void drain() {
    }

    /** Work still live (calls, conferences); shutdown waits for zero up to the grace period. */
    default int liveWork() {
        return 0;
    }
}
