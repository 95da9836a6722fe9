package org.parley.signaling.transport;

import org.parley.signaling.wire.Request;

/** What the WebSocket handler reports; called on Netty threads, so implementations hand off. */
public interface ConnectionListener {

    void opened(Connection connection);

    /** A well-formed request that passed the rate limit. */
    void received(Connection connection, Request request);

    void closed(Connection connection);

    /** A frame refused before it became a request (malformed, rate-limited), for metrics. */
    void refused(String errorCode);
}
