package org.parley.signaling.cluster;

import com.fasterxml.jackson.databind.node.ObjectNode;
import org.parley.signaling.wire.ProtocolException;

/** What other nodes deliver to this one. Any thread: the receiver moves the work onto its loop. */
public interface Inbox {

    /** An event from {@code owner}, which owns its call, for session {@code sessionId} of this node. */
    void event(String owner, String sessionId, String json);

    /** A request of a device at another node about a call this node owns; answered through {@code reply}. */
    void request(RemoteDevice from, ObjectNode request, Reply reply);

    /** A device at {@code node} that took part in this node's calls signed out for good. */
    void ended(String node, String sessionId, String reason);

    /** Session {@code sessionId}, in calls of this node, is held by {@code node} now (it took it over). */
    void moved(String node, String sessionId);

    /**
     * {@code node} asks for session {@code sessionId} of this node (its client resumed there): this
     * node lets it go and answers {@code reply} once its events are in the store, or refuses.
     */
    default void release(String node, String sessionId, Reply reply) {
        reply.error(org.parley.signaling.wire.ProtocolException.wrongState("sessions are not handed over here"));
    }

    /** {@code node} stopped heartbeating: its devices are gone, or wait in the session store for a resume. */
    void nodeLost(String node);

    /** {@code device}, signed in at its node after the invite, rings for call {@code callId} of this node too. */
    default void ring(RemoteDevice device, String callId) {
    }

    /** The answer to a forwarded request: exactly one call. */
    interface Reply {
        void ok(ObjectNode fields);

        void error(ProtocolException e);
    }
}
