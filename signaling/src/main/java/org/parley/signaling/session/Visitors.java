package org.parley.signaling.session;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Executor;
import org.parley.signaling.cluster.Peers;
import org.parley.signaling.cluster.RemoteDevice;

/**
 * Devices signed in at other nodes that take part in calls this node owns, each as a
 * {@link Session} whose events travel to its node: the call rules treat them as any device. One
 * visitor per remote session. Loop thread only, except where said.
 */
public final class Visitors {

    private final Peers peers;
    private final Executor loop;
    private final Map<String, Session> bySessionId = new HashMap<>();
    private final Map<String, String> nodeOf = new HashMap<>();

    public Visitors(Peers peers, Executor loop) {
        this.peers = peers;
        this.loop = loop;
    }

    /** The visitor of {@code d}, made on first use. */
    public Session of(RemoteDevice d) {
        Session s = bySessionId.get(d.sessionId());
        if (s != null && s.isLive()) {
            return s;
        }
        String node = d.node();
        String sessionId = d.sessionId();
        s = new Session(sessionId, d.identity(), d.device(), json -> peers.event(node, sessionId, json));
        bySessionId.put(sessionId, s);
        nodeOf.put(sessionId, node);
        return s;
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
        nodeOf.remove(sessionId);
        return bySessionId.remove(sessionId);
    }

    /** Removes and returns every visitor from {@code node}. */
    public List<Session> removeNode(String node) {
        List<Session> out = new ArrayList<>();
        for (Map.Entry<String, String> e : List.copyOf(nodeOf.entrySet())) {
            if (node.equals(e.getValue())) {
                out.add(remove(e.getKey()));
            }
        }
        return out;
    }

    public int size() {
        return bySessionId.size();
    }
}
