package org.parley.signaling.cluster;

import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import org.parley.signaling.wire.Request;

/**
 * Which node owns each call that a device of this node learnt of from another node, so that the
 * device's requests about it go there, and which nodes to tell when the device's session ends.
 * Learnt from the events those nodes send. Loop thread only.
 */
public final class Routes {

    private final Map<String, String> ownerOfCall = new HashMap<>();
    private final Map<String, Set<String>> ownersOfSession = new HashMap<>();

    /**
     * Session {@code sessionId} of this node received an event about {@code callId} from
     * {@code owner}; true when that is news.
     */
    public boolean learnt(String sessionId, String callId, String owner) {
        boolean news = !owner.equals(ownerOfCall.put(callId, owner));
        return ownersOfSession.computeIfAbsent(sessionId, k -> new HashSet<>()).add(owner) || news;
    }

    /** The call ended: requests about it are this node's to refuse. */
    public void forgetCall(String callId) {
        ownerOfCall.remove(callId);
    }

    /** The node that owns the call {@code r} is about, or null when this node handles it. */
    public String owner(Request r) {
        if (!r.body().path("callId").isTextual()) {
            return null;
        }
        return ownerOfCall.get(r.body().get("callId").textValue());
    }

    /** The session ended: the nodes that own (or owned) its calls, to be told. */
    public Set<String> forgetSession(String sessionId) {
        Set<String> owners = ownersOfSession.remove(sessionId);
        return owners == null ? Set.of() : owners;
    }

    /** The calls {@code node} owns that devices of this node take part in. */
    public Set<String> callsOf(String node) {
        Set<String> out = new HashSet<>();
        ownerOfCall.forEach((call, owner) -> {
            if (owner.equals(node)) {
                out.add(call);
            }
        });
        return out;
    }

    /** {@code node} is gone: its calls are gone with it (unless this node takes them over). */
    public void forgetNode(String node) {
        ownerOfCall.values().removeIf(node::equals);
        ownersOfSession.values().forEach(owners -> owners.remove(node));
    }

    public int calls() {
        return ownerOfCall.size();
    }
}
