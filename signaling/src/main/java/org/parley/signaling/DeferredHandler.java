package org.parley.signaling;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.concurrent.CompletionStage;
import org.parley.signaling.session.Session;
import org.parley.signaling.wire.Request;

/**
 * Handles one request type whose reply waits for the media relay. Like a {@link RequestHandler}
 * it validates first and throws {@link org.parley.signaling.wire.ProtocolException} to refuse at
 * once; otherwise it returns a stage that completes on the signaling loop with the reply's fields
 * (null for an empty {@code result}) or fails with the typed error. Until then the session's later
 * requests and its events wait (docs/protocol.md §2); other sessions go on.
 */
@FunctionalInterface
public interface DeferredHandler {

    CompletionStage<ObjectNode> handle(Session session, Request request);
}
