package org.parley.signaling;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;
import org.parley.signaling.session.Session;
import org.parley.signaling.session.SessionController;
import org.parley.signaling.transport.Connection;
import org.parley.signaling.wire.ErrorCode;
import org.parley.signaling.wire.Json;
import org.parley.signaling.wire.ProtocolException;
import org.parley.signaling.wire.Request;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Routes each request to its handler on the signaling loop and answers it: exactly one reply or
 * one typed error per request (docs/protocol.md §2). Events a handler sends to the requesting
 * session are held until the reply has gone out, so a client always sees the reply first.
 */
final class Dispatcher {

    private static final Logger LOG = LoggerFactory.getLogger(Dispatcher.class);

    private final Map<String, RequestHandler> handlers = new HashMap<>();
    private final SessionController sessions;
    private final SignalingMetrics metrics;

    Dispatcher(SessionController sessions, SignalingMetrics metrics) {
        this.sessions = sessions;
        this.metrics = metrics;
    }

    void register(String type, RequestHandler handler) {
        handlers.put(type, handler);
    }

    Set<String> types() {
        Set<String> all = new java.util.HashSet<>(handlers.keySet());
        all.add("hello");
        all.add("ack");
        all.add("bye");
        return all;
    }

    void dispatch(Connection c, Request r) {
        metrics.message(r.type());
        Session s = c.session();
        try {
            if (r.type().equals("hello")) {
                requireId(r);
                sessions.hello(c, r);
                return;
            }
            if (s == null) {
                throw new ProtocolException(ErrorCode.NOT_AUTHENTICATED, "send hello first");
            }
            if (r.type().equals("ack")) {
                sessions.ack(s, r);
                return;
            }
            RequestHandler h = handlers.get(r.type());
            if (h == null && !r.type().equals("bye")) {
                throw new ProtocolException(ErrorCode.UNKNOWN_TYPE, "unknown message type '" + abbreviate(r.type()) + "'");
            }
            requireId(r);
            if (r.type().equals("bye")) {
                c.send(Json.result(r.id()));
                sessions.bye(s);
                return;
            }
            s.hold();
            try {
                ObjectNode fields = h.handle(s, r);
                ObjectNode reply = Json.result(r.id());
                if (fields != null) {
                    reply.setAll(fields);
                }
                c.send(reply);
            } finally {
                s.release();
            }
        } catch (ProtocolException e) {
            fail(c, r, e.code(), e.getMessage());
        } catch (RuntimeException e) {
            LOG.error("{} failed for {}", r.type(), s, e);
            fail(c, r, ErrorCode.INTERNAL, "internal error");
        }
    }

    private void fail(Connection c, Request r, ErrorCode code, String message) {
        metrics.error(code.wireName());
        c.send(Json.error(r.id(), code, message));
    }

    private static void requireId(Request r) {
        if (r.id() == null) {
            throw Request.missing("id");
        }
    }

    private static String abbreviate(String s) {
        return s.length() <= 40 ? s : s.substring(0, 40) + "…";
    }
}
