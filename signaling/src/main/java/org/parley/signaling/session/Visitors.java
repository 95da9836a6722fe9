package org.parley.signaling.session;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Executor;
import org.parley.signaling.cluster.Peers;
import org.parley.signaling.cluster.RemoteDevice;
import org.parley.signaling.e2ee.IdentityKey;

/**
 * Devices signed in at other nodes that take part in calls this node owns, each as a
 * {@link Session} whose events travel to its node: the call rules treat them as any device. One
 * visitor per remote session. Loop thread only, except where said.
 */
public final class Visitors {

    private final Peers peers;
    private final Executor loop;
    private final Map<String, Session> bySessionId = new HashMap<>();
    private final Map<String, Route> routeOf = new HashMap<>();
    private SessionStore store = SessionStore.MEMORY;

    public Visitors(Peers peers, Executor loop) {
        this.peers = peers;
        this.loop = loop;
    }

    /** Sessions are in {@code store}: a dead node's devices are logged there until they resume elsewhere. */
    public void useStore(SessionStore store) {
        this.store = store;
    }

    /** The visitor of {@code d}, made on first use. */
    public Session of(RemoteDevice d) {
        Session s = bySessionId.get(d.sessionId());
        if (s != null && s.isLive()) {
            return s;
        }
        Route route = new Route(d.sessionId(), d.node());
        s = new Session(d.sessionId(), d.identity(), d.device(), route);
        if (d.identityKey() != null) {
            s.identityKey(new IdentityKey(d.identityKey())); // checked by its own node at hello
        }
        bySessionId.put(d.sessionId(), s);
        routeOf.put(d.sessionId(), route);
        return s;
    }

    /**
     * Keeps local session {@code s}, whose client resumed at {@code node}, in this node's calls as
     * that node's visitor: the same object the calls hold, its events going there from now on.
     */
    public void adopt(Session s, String node) {
        Route route = new Route(s.id(), node);
        s.becomeVisitor(route);
        bySessionId.put(s.id(), s);
        routeOf.put(s.id(), route);
    }

    /**
     * The devices of {@code user} signed in at other nodes, as visitors; completes on the loop.
     * Completes at once (on the caller's thread) when this node is alone.
     */
    public CompletionStage<List<Session>> elsewhere(String user) {
        if (!peers.clustered()) {
            return java.util.concurrent.CompletableFuture.completedFuture(List.of());
        }
        return peers.devices(user).thenApplyAsync(devices -> {
            List<Session> out = new ArrayList<>();
            for (RemoteDevice d : devices) {
                if (!d.node().equals(peers.node())) {
                    out.add(of(d));
                }
            }
            return out;
        }, loop);
    }

    /** Removes the visitor of session {@code sessionId}; null if there is none. */
    public Session remove(String sessionId) {
        routeOf.remove(sessionId);
        return bySessionId.remove(sessionId);
    }

    /** Removes and returns every visitor from {@code node}. */
    public List<Session> removeNode(String node) {
        List<Session> out = new ArrayList<>();
        for (Route r : List.copyOf(routeOf.values())) {
            if (node.equals(r.node)) {
                out.add(remove(r.sessionId));
            }
        }
        return out;
    }

    /**
     * {@code node} died: its visitors stay in their calls, their events go to the store's log of
     * their sessions until another node takes them over ({@link #moved}). Returns them.
     */
    public List<Session> orphan(String node) {
        List<Session> out = new ArrayList<>();
        for (Route r : routeOf.values()) {
            if (node.equals(r.node) && !r.orphaned) {
                r.orphaned = true;
                r.deadNode = node;
                out.add(bySessionId.get(r.sessionId));
            }
        }
        return out;
    }

    /** The node a visitor's events go to (the dead one while orphaned), or null if there is no such visitor. */
    public String nodeOf(String sessionId) {
        Route r = routeOf.get(sessionId);
        return r == null ? null : r.orphaned ? r.deadNode : r.node;
    }

    /** True while the visitor of {@code sessionId} is one of a dead node's, not yet taken over. */
    public boolean orphaned(String sessionId) {
        Route r = routeOf.get(sessionId);
        return r != null && r.orphaned;
    }

    /** Session {@code sessionId} is held by {@code node} now (it took it over): its events go there. */
    public void moved(String sessionId, String node) {
        Route r = routeOf.get(sessionId);
        if (r != null) {
            r.node = node;
            r.orphaned = false;
        }
    }

    /**
     * Where a visitor's events go: to its device's node, or while that node is dead, into the
     * store's log of its session. An event logged after another node took the session over comes
     * back as moved and is sent there; until every logged event is back, later ones take the same
     * way, so they stay in order.
     */
    private final class Route implements Session.Outlet {
        final String sessionId;
        String node;
        boolean orphaned;
        /** The node that died holding the session (set once it is orphaned). */
        String deadNode;
        int logging;

        Route(String sessionId, String node) {
            this.sessionId = sessionId;
            this.node = node;
        }

        @Override
        public void write(String json) {
            if (!orphaned && logging == 0) {
                peers.event(node, sessionId, json);
                return;
            }
            logging++;
            store.appendOrphan(sessionId, deadNode, json).whenCompleteAsync((o, error) -> {
                logging--;
                if (o != null && o.kind() == SessionStore.Orphan.Kind.MOVED) {
                    moved(sessionId, o.node());
                    peers.event(o.node(), sessionId, json);
                }
            }, loop);
        }
    }

    public int size() {
        return bySessionId.size();
    }
}
