package org.parley.signaling;

import com.fasterxml.jackson.databind.node.ObjectNode;
import org.parley.signaling.session.Session;
import org.parley.signaling.wire.Request;

/**
 * Handles one request type for a signed-in session, on the signaling loop. It validates every
 * field before changing anything and throws {@link org.parley.signaling.wire.ProtocolException}
 * to refuse, so a refused request changes nothing.
 */
@FunctionalInterface
public interface RequestHandler {

    /** Returns the reply's fields, or null for an empty {@code result}. */
    ObjectNode handle(Session session, Request request);
}
