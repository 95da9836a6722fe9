package org.parley.signaling;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.time.Duration;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Executor;
import java.util.function.BiConsumer;
import org.parley.signaling.call.CallRecords;
import org.parley.signaling.call.CallStore;
import org.parley.signaling.call.StoredCall;
import org.parley.signaling.cluster.CallDirectory;
import org.parley.signaling.cluster.Inbox;
import org.parley.signaling.cluster.Peers;
import org.parley.signaling.cluster.RemoteDevice;
import org.parley.signaling.cluster.Routes;
import org.parley.signaling.session.Session;
import org.parley.signaling.session.SessionController;
import org.parley.signaling.session.SessionObserver;
import org.parley.signaling.session.SessionStore;
import org.parley.signaling.session.Sessions;
import org.parley.signaling.session.Visitors;
import org.parley.signaling.wire.Json;
import org.parley.signaling.wire.Request;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * This node as one of a cluster (docs/cluster.md): announces its devices, hands events that other
 * nodes send to its devices, runs the requests other nodes forward for calls it owns, and ends the
 * visitors of devices that signed out elsewhere. Everything runs on the signaling loop.
 */
final class ClusterInbox implements Inbox, SessionObserver, SessionController.StoredResumeListener {

    private static final Logger LOG = LoggerFactory.getLogger(ClusterInbox.class);

    private final Peers peers;
    private final Executor loop;
    private final Sessions sessions;
    private final Visitors visitors;
    private final Routes routes;
    private final SessionController controller;
    private final Dispatcher dispatcher;
    private final SessionStore store;
    private final Scheduler scheduler;
    private final Duration resumeGrace;
    private final CallStore callStore;
    private final CallRecords records;
    private RoomTakeover roomTakeover;
    private CallDirectory directory = CallDirectory.NONE;
    private BiConsumer<Session, String> ringLate = (device, callId) -> { };
    /** Nodes this node saw die: a resumed session's calls they ran are claimed at once. */
    private final Set<String> lost = new java.util.HashSet<>();
    /** Sessions this node handed over lately, with the node that holds each now. */
    private final Map<String, String> released = new java.util.HashMap<>();

    ClusterInbox(Peers peers, Executor loop, Sessions sessions, Visitors visitors, Routes routes,
            SessionController controller, Dispatcher dispatcher, SessionStore store, Scheduler scheduler,
            Duration resumeGrace, CallStore callStore, CallRecords records) {
        this.callStore = callStore;
        this.records = records;
        this.store = store;
        this.scheduler = scheduler;
        this.resumeGrace = resumeGrace;
        this.peers = peers;
        this.loop = loop;
        this.sessions = sessions;
        this.visitors = visitors;
        this.routes = routes;
        this.controller = controller;
        this.dispatcher = dispatcher;
    }

    /** In a cluster with rooms: the rooms of a node that dies are claimed through {@code takeover}. */
    void rooms(RoomTakeover takeover) {
        this.roomTakeover = takeover;
        takeover.orphanWith(this::orphan);
    }

    /**
     * Calls across nodes (docs/cluster.md): a device signing in here is rung for the calls ringing
     * its user at other nodes ({@code directory}), and a device of another node that signs in while
     * a call of this node rings is rung through {@code ringLate}.
     */
    void calls(CallDirectory directory, BiConsumer<Session, String> ringLate) {
        this.directory = directory;
        this.ringLate = ringLate;
    }

    @Override
    public void ring(RemoteDevice device, String callId) {
        loop.execute(() -> ringLate.accept(visitors.of(device), callId));
    }

    @Override
    public void event(String owner, String sessionId, String json) {
        loop.execute(() -> {
            ObjectNode e;
            try {
                e = (ObjectNode) Json.MAPPER.readTree(json);
            } catch (JsonProcessingException | ClassCastException x) {
                LOG.warn("dropped an unreadable event from node {}", owner);
                return;
            }
            Session s = sessions.byId(sessionId);
            String movedTo = released.get(sessionId);
            if (s == null && movedTo != null) {
                // sent before the owner heard the session moved: it follows the session
                peers.event(movedTo, sessionId, json);
                return;
            }
            if (s == null && controller.holdWhileTakingOver(sessionId, e)) {
                learn(sessionId, null, e, owner);
                return;
            }
            if (s == null || !s.isLive()) {
                // The owner still counts this device in: it ends the device's part in its calls.
                peers.ended(owner, sessionId, "connection_lost");
                return;
            }
            learn(sessionId, s, e, owner);
            s.emit(e);
        });
    }

    /** Which node runs the call {@code e} is about, kept for the session's requests (and in the store). */
    private void learn(String sessionId, Session s, ObjectNode e, String owner) {
        JsonNode callId = e.get("callId");
        if (callId == null || !callId.isTextual()) {
            return;
        }
        if ("call.ended".equals(e.path("type").asText())) {
            routes.forgetCall(callId.textValue(), sessionId);
            if (s != null) {
                store.callOwner(s, callId.textValue(), null);
            }
        } else if (routes.learnt(sessionId, callId.textValue(), owner) && s != null) {
            store.callOwner(s, callId.textValue(), owner);
        }
    }

    @Override
    public void tookOver(Session s, String from, Map<String, String> calls) {
        LOG.info("took over {} from {}; its calls run at {}", s, from == null ? "a node that let it go" : "node " + from, calls);
        Map<String, Set<String>> orphaned = new java.util.HashMap<>();
        calls.forEach((callId, owner) -> {
            if (callId.startsWith(RoomTakeover.ROOM_PREFIX)) {
                routes.joined(s.id(), callId.substring(RoomTakeover.ROOM_PREFIX.length()), owner);
            } else {
                routes.learnt(s.id(), callId, owner);
                if (lost.contains(owner) || owner.equals(from)) {
                    // its owner died too (both devices were there): nobody else may have a route
                    // to it, so the node where a device resumes claims it (docs/cluster.md "A
                    // call's owner dies"); requests meanwhile wait for the dead owner and time out
                    orphaned.computeIfAbsent(owner, k -> new java.util.HashSet<>()).add(callId);
                    return;
                }
            }
            peers.moved(owner, s.id());
        });
        orphaned.forEach(this::takeOver);
    }

    /**
     * {@code node} asks for a session of this node whose client resumed there (docs/cluster.md
     * "Sessions in Redis"). Let go unless one of its rooms runs here (not built): its connection
     * closes {@code replaced}, it leaves presence, and the answer leaves on the connection that
     * wrote its events, after them, so they are in the store first. The calls this node runs keep
     * it, as a visitor of {@code node}: they go on here and its events go there.
     */
    @Override
    public void release(String node, String sessionId, Reply reply) {
        loop.execute(() -> {
            Session s = sessions.byId(sessionId);
            if (s == null || s.isVisitor() || !s.isLive()) {
                reply.error(org.parley.signaling.wire.ProtocolException.wrongState("no session " + sessionId + " here"));
                return;
            }
            if (s.rooms().stream().anyMatch(r -> !routes.elsewhere(null, r))) {
                reply.error(org.parley.signaling.wire.ProtocolException.wrongState(
                        "session " + sessionId + " is in a room this node runs"));
                return;
            }
            LOG.info("handing {} over to node {}, where its client resumed", s, node);
            if (s.calls().stream().anyMatch(c -> !routes.elsewhere(c, null))) {
                controller.releaseKeepingCalls(s);
                visitors.adopt(s, node);
            } else {
                controller.release(s);
            }
            peers.signedOut(RemoteDevice.of(s, peers.node()));
            routes.forgetSession(s.id());
            released.put(sessionId, node);
            scheduler.schedule(resumeGrace, () -> released.remove(sessionId, node));
            reply.ok(null);
        });
    }

    @Override
    public java.util.concurrent.CompletionStage<Boolean> release(String node, String sessionId) {
        return peers.release(node, sessionId);
    }

    @Override
    public void moved(String node, String sessionId) {
        loop.execute(() -> visitors.moved(sessionId, node));
    }

    @Override
    public void request(RemoteDevice from, ObjectNode body, Reply reply) {
        loop.execute(() -> dispatcher.visit(visitors.of(from),
                new Request(body.path("type").asText(), body.get("id"), body), reply));
    }

    @Override
    public void ended(String node, String sessionId, String reason) {
        loop.execute(() -> {
            Session v = visitors.remove(sessionId);
            if (v != null) {
                controller.end(v, reason);
            }
        });
    }

    @Override
    public void nodeLost(String node) {
        loop.execute(() -> {
            Set<String> itsCalls = routes.callsOf(node);
            Set<String> itsRooms = routes.roomsOf(node);
            routes.forgetNode(node);
            lost.add(node);
            if (!store.shared()) {
                for (Session v : visitors.removeNode(node)) {
                    controller.end(v, "connection_lost");
                }
                return;
            }
            orphan(node);
            if (!itsCalls.isEmpty()) {
                takeOver(node, itsCalls);
            }
            if (roomTakeover != null) {
                roomTakeover.claim(node, itsRooms);
            }
        });
    }

    /**
     * Its devices may resume at another node within the grace: until then their events are logged
     * in the store, and their calls go on (docs/cluster.md "A node dies").
     */
    private void orphan(String node) {
        for (Session v : visitors.orphan(node)) {
            scheduler.schedule(resumeGrace, () -> {
                if (visitors.orphaned(v.id())) {
                    visitors.remove(v.id());
                    controller.end(v, "connection_lost");
                }
            });
        }
    }

    /**
     * The calls {@code node} owned that devices of this node take part in: every node with such a
     * device claims them, exactly one wins each and runs it from now on (docs/cluster.md "A call's
     * owner dies"). The dead node's devices in them become orphaned visitors here.
     */
    private void takeOver(String node, Set<String> callIds) {
        callStore.claim(node, callIds).whenCompleteAsync((won, error) -> {
            if (error != null) {
                LOG.warn("the calls of node {} were not taken over: {}", node, error.toString());
                return;
            }
            Set<String> lostClaims = new java.util.HashSet<>(callIds);
            for (StoredCall c : won) {
                lostClaims.remove(c.id());
                routes.forgetCall(c.id());
                if (records.adopt(c, node)) {
                    // (its devices here have this node named in their stored sessions: CallRecords)
                    LOG.info("took over call {} from node {}", c.id(), node);
                } else {
                    LOG.warn("call {} of node {} claimed but its device here is gone", c.id(), node);
                }
            }
            orphan(node);
            lostClaims.forEach(this::followWinner);
        }, loop);
    }

    /**
     * Another node won the claim of {@code callId}: this node's devices in it send their requests
     * there, and it learns where they are (a device that resumed here was its orphan).
     */
    private void followWinner(String callId) {
        callStore.owner(callId).whenCompleteAsync((owner, error) -> {
            if (error != null || owner == null || owner.equals(peers.node()) || lost.contains(owner)) {
                return;
            }
            for (Session s : sessions.attached()) {
                if (s.calls().contains(callId) && routes.learnt(s.id(), callId, owner)) {
                    store.callOwner(s, callId, owner);
                    peers.moved(owner, s.id());
                }
            }
            LOG.info("call {} runs at node {} now", callId, owner);
        }, loop);
    }

    @Override
    public void sessionStarted(Session s) {
        if (!s.isVisitor()) {
            RemoteDevice d = RemoteDevice.of(s, peers.node());
            peers.signedIn(d);
            // one node rings a device that signs in while its user's call rings (docs/protocol.md §7)
            directory.calls(s.user()).thenAcceptAsync(calls -> {
                for (CallDirectory.Entry e : calls) {
                    if (!e.answered() && e.callee().equals(s.user()) && !e.owner().equals(peers.node()) && s.isLive()) {
                        peers.ring(e.owner(), d, e.callId());
                    }
                }
            }, loop);
        }
    }

    @Override
    public void sessionEnded(Session s, String reason) {
        if (s.isVisitor()) {
            return;
        }
        peers.signedOut(RemoteDevice.of(s, peers.node()));
        for (String owner : routes.forgetSession(s.id())) {
            peers.ended(owner, s.id(), reason);
        }
    }
}
