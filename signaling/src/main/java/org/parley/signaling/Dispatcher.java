package org.parley.signaling;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayDeque;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.Executor;
import org.parley.signaling.cluster.Inbox;
import org.parley.signaling.cluster.Peers;
import org.parley.signaling.cluster.RemoteDevice;
import org.parley.signaling.cluster.Routes;
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
 *
 * <p>A request that needs the media relay is answered when the relay has answered. Meanwhile that
 * session's later requests wait in its queue and its events stay held, so each session sees
 * replies and events in order; every other session is served at once.
 */
final class Dispatcher {

    private static final Logger LOG = LoggerFactory.getLogger(Dispatcher.class);

    private final Map<String, DeferredHandler> handlers = new HashMap<>();
    private final SessionController sessions;
    private final SignalingMetrics metrics;
    private final Executor loop;
    /** Sessions with a request awaiting the relay, and their requests that came after it. */
    private final Map<Session, ArrayDeque<Queued>> waiting = new HashMap<>();
    /** Where requests about calls owned by other nodes go (docs/cluster.md); alone, nowhere. */
    private Routes routes;
    private Peers peers = Peers.NONE;
    /** In a cluster: handlers that first find the node running what the request is about (room.join). */
    private final Map<String, DeferredHandler> routed = new HashMap<>();

    /** The limit on each user's messages over all its connections; none until {@link #limitUsers}. */
    private UserRateLimit userLimit;

    private record Queued(Connection connection, Request request) {
    }

    Dispatcher(SessionController sessions, SignalingMetrics metrics, Executor loop) {
        this.sessions = sessions;
        this.metrics = metrics;
        this.loop = loop;
    }

    /** Refuses a user's messages beyond {@code limit} (docs/protocol.md §3). */
    void limitUsers(UserRateLimit limit) {
        this.userLimit = limit;
    }

    void register(String type, RequestHandler handler) {
        handlers.put(type, (s, r) -> CompletableFuture.completedFuture(handler.handle(s, r)));
    }

    void registerDeferred(String type, DeferredHandler handler) {
        handlers.put(type, handler);
    }

    /** In a cluster: a request about a call another node owns is answered by that node. */
    void forwardThrough(Routes routes, Peers peers) {
        this.routes = routes;
        this.peers = peers;
    }

    /**
     * In a cluster: {@code type}, sent by a device of this node, goes to {@code handler}, which finds
     * the node to run it; the same request forwarded by another node is run here as registered.
     */
    void routeFirst(String type, java.util.function.UnaryOperator<DeferredHandler> handler) {
        routed.put(type, handler.apply(handlers.get(type)));
    }

    /** The handler of {@code r}: this node's, or the forwarding to the node that owns its call or room. */
    private DeferredHandler handlerOf(Request r) {
        DeferredHandler first = routed.get(r.type());
        if (first != null) {
            return first;
        }
        String owner = routes == null ? null : routes.owner(r);
        if (owner == null) {
            return handlers.get(r.type());
        }
        return (s, req) -> peers.request(owner, RemoteDevice.of(s, peers.node()), req.body());
    }

    /**
     * A request forwarded by another node for a device of its own ({@code visitor}) about a call this
     * node owns: handled as that device's own would be, the reply going first and its events after.
     * Its node queues the device's later requests until this one is answered.
     */
    void visit(Session visitor, Request r, Inbox.Reply reply) {
        metrics.message(r.type());
        DeferredHandler h = handlers.get(r.type());
        if (h == null) {
            reply.error(new ProtocolException(ErrorCode.UNKNOWN_TYPE, "unknown message type '" + abbreviate(r.type()) + "'"));
            return;
        }
        visitor.hold();
        CompletableFuture<ObjectNode> answer;
        try {
            answer = h.handle(visitor, r).toCompletableFuture();
        } catch (RuntimeException e) {
            answer = CompletableFuture.failedFuture(e);
        }
        if (answer.isDone()) {
            answerVisitor(visitor, r, answer, reply);
        } else {
            CompletableFuture<ObjectNode> later = answer;
            later.whenComplete((fields, error) -> loop.execute(() -> answerVisitor(visitor, r, later, reply)));
        }
    }

    private void answerVisitor(Session visitor, Request r, CompletableFuture<ObjectNode> answer, Inbox.Reply reply) {
        try {
            reply.ok(answer.join());
        } catch (CompletionException | CancellationException e) {
            Throwable cause = e.getCause() == null ? e : e.getCause();
            if (cause instanceof ProtocolException pe) {
                metrics.error(pe.code().wireName());
                reply.error(pe);
            } else {
                LOG.error("{} failed for {}", r.type(), visitor, cause);
                reply.error(new ProtocolException(ErrorCode.INTERNAL, "internal error"));
            }
        } finally {
            visitor.release();
        }
    }

    Set<String> types() {
        Set<String> all = new java.util.HashSet<>(handlers.keySet());
        all.add("hello");
        all.add("ack");
        all.add("bye");
        return all;
    }

    void dispatch(Connection c, Request r) {
        Session s = c.session();
        ArrayDeque<Queued> queue = s == null ? null : waiting.get(s);
        if (queue != null) {
            queue.add(new Queued(c, r));
            return;
        }
        handle(c, r);
    }

    /** Handles one request; true when its reply waits for the relay (the session is then in {@link #waiting}). */
    private boolean handle(Connection c, Request r) {
        metrics.message(r.type());
        Session s = c.session();
        try {
            if (r.type().equals("hello")) {
                requireId(r);
                sessions.hello(c, r);
                return false;
            }
            if (s == null) {
                throw new ProtocolException(ErrorCode.NOT_AUTHENTICATED, "send hello first");
            }
            if (r.type().equals("ack")) {
                sessions.ack(s, r);
                return false;
            }
            DeferredHandler h = handlerOf(r);
            if (h == null && !r.type().equals("bye")) {
                throw new ProtocolException(ErrorCode.UNKNOWN_TYPE, "unknown message type '" + abbreviate(r.type()) + "'");
            }
            requireId(r);
            if (r.type().equals("bye")) {
                c.send(Json.result(r.id()));
                sessions.bye(s);
                return false;
            }
            if (userLimit != null && !userLimit.admit(s.user())) {
                throw new ProtocolException(ErrorCode.RATE_LIMITED,
                        "too many messages from this user over all its connections; slow down");
            }
            s.hold();
            CompletableFuture<ObjectNode> reply;
            try {
                reply = h.handle(s, r).toCompletableFuture();
            } catch (RuntimeException e) {
                s.release();
                throw e;
            }
            if (reply.isDone()) {
                finish(c, s, r, reply);
                return false;
            }
            waiting.computeIfAbsent(s, k -> new ArrayDeque<>());
            reply.whenComplete((fields, error) -> loop.execute(() -> {
                finish(c, s, r, reply);
                next(s);
            }));
            return true;
        } catch (ProtocolException e) {
            fail(c, r, e.code(), e.getMessage());
        } catch (RuntimeException e) {
            LOG.error("{} failed for {}", r.type(), s, e);
            fail(c, r, ErrorCode.INTERNAL, "internal error");
        }
        return false;
    }

    /** Sends the reply (or error) of a handled request, then the events held meanwhile. */
    private void finish(Connection c, Session s, Request r, CompletableFuture<ObjectNode> reply) {
        try {
            ObjectNode fields = reply.join();
            ObjectNode out = Json.result(r.id());
            if (fields != null) {
                out.setAll(fields);
            }
            c.send(out);
        } catch (CompletionException | CancellationException e) {
            Throwable cause = e.getCause() == null ? e : e.getCause();
            if (cause instanceof ProtocolException pe) {
                fail(c, r, pe.code(), pe.getMessage());
            } else {
                LOG.error("{} failed for {}", r.type(), s, cause);
                fail(c, r, ErrorCode.INTERNAL, "internal error");
            }
        } finally {
            s.release();
        }
    }

    /** After a deferred reply: the session's queued requests, in order, until one waits again. */
    private void next(Session s) {
        ArrayDeque<Queued> queue = waiting.get(s);
        while (queue != null) {
            Queued q = queue.poll();
            if (q == null) {
                waiting.remove(s);
                return;
            }
            if (handle(q.connection(), q.request())) {
                return;
            }
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
