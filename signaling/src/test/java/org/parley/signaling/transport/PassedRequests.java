package org.parley.signaling.transport;

import java.util.List;
import org.parley.signaling.wire.Request;

/** A connection listener for handler tests that keeps the requests a handler passes on. */
record PassedRequests(List<Request> passed) implements ConnectionListener {

    @Override
    public void opened(Connection connection) {
    }

    @Override
    public void received(Connection connection, Request request) {
        passed.add(request);
    }

    @Override
    public void closed(Connection connection) {
    }

    @Override
    public void refused(String errorCode) {
    }
}
