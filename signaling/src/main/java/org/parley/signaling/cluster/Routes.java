package org.parley.signaling.cluster;

import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.parley.signaling.wire.Request;

/**
 * Which node owns each call or room that a device of this node takes part in at another node, so
 * that the device's requests about it go there, and which nodes to tell when the device's session
 * ends. Calls are learnt from the events their owners send, rooms from the answer to the join.
 * Loop thread only.
 */
public final class Routes {

    private final Map<String, String> ownerOfCall = new HashMap<>();
    private final Map<String, String> ownerOfRoom = new HashMap<>();
    private final Map<String, Set<String>> ownersOfSession = new HashMap<>();
    private final Map<String, Set<String>> sessionsInRoom = new HashMap<>();
    /** The sessions of this node that still know each routed call: the route goes with the last. */
    private final Map<String, Set<String>> sessionsInCall = new HashMap<>();

    /**
     * Session {@code sessionId} of this node received an event about {@code callId} from
     * {@code owner}; true when that is news.
     */
    public boolean learnt(String sessionId, String callId, String owner) {
        boolean news = !owner.equals(ownerOfCall.put(callId, owner));
        news |= sessionsInCall.computeIfAbsent(callId, k -> new HashSet<>()).add(sessionId);
        return ownersOfSession.computeIfAbsent(sessionId, k -> new HashSet<>()).add(owner) || news;
    }

    /** Session {@code sessionId} of this node joined room {@code roomId}, which {@code owner} runs. */
    public void joined(String sessionId, String roomId, String owner) {
        ownerOfRoom.put(roomId, owner);
        ownersOfSession.computeIfAbsent(sessionId, k -> new HashSet<>()).add(owner);
        sessionsInRoom.computeIfAbsent(roomId, k -> new HashSet<>()).add(sessionId);
    }

    /** Room {@code roomId} runs on {@code owner} now (it took the room over from a node that died). */
    public void moved(String roomId, String owner) {
        ownerOfRoom.put(roomId, owner);
        for (String sessionId : sessionsInRoom.getOrDefault(roomId, Set.of())) {
            ownersOfSession.computeIfAbsent(sessionId, k -> new HashSet<>()).add(owner);
        }
    }

    /** Room {@code roomId} runs on this node now (or nowhere): requests about it are this node's. */
    public void forgetRoom(String roomId) {
        ownerOfRoom.remove(roomId);
        sessionsInRoom.remove(roomId);
    }

    /** The call ended: requests about it are this node's to refuse. */
    public void forgetCall(String callId) {
        ownerOfCall.remove(callId);
        sessionsInCall.remove(callId);
    }

    /**
     * Session {@code sessionId} no longer knows the call ({@code call.ended} reached it: answered
     * elsewhere, transferred, over). Another session of this node may still carry it (the device a
     * call was handed to), so the route goes only with the last.
     */
    public void forgetCall(String callId, String sessionId) {
        Set<String> in = sessionsInCall.get(callId);
        if (in == null || (in.remove(sessionId) && in.isEmpty())) {
            forgetCall(callId);
        }
    }

    /** The node that owns the call or room {@code r} is about, or null when this node handles it. */
    public String owner(Request r) {
        if (r.body().path("callId").isTextual()) {
            return ownerOfCall.get(r.body().get("callId").textValue());
        }
        if (r.body().path("roomId").isTextual()) {
            return ownerOfRoom.get(r.body().get("roomId").textValue());
        }
        return null;
    }

    /** True when call or room {@code id} (as in a session's calls or rooms) runs at another node. */
    public boolean elsewhere(String callId, String roomId) {
        return callId != null ? ownerOfCall.containsKey(callId) : ownerOfRoom.containsKey(roomId);
    }

    /** The session ended: the nodes that own (or owned) its calls and rooms, to be told. */
    public Set<String> forgetSession(String sessionId) {
        sessionsInRoom.values().forEach(in -> in.remove(sessionId));
        for (String callId : List.copyOf(sessionsInCall.keySet())) {
            forgetCall(callId, sessionId);
        }
        Set<String> owners = ownersOfSession.remove(sessionId);
        return owners == null ? Set.of() : owners;
    }

    /** The calls {@code node} owns that devices of this node take part in. */
    public Set<String> callsOf(String node) {
        return ownedBy(ownerOfCall, node);
    }

    /** The rooms {@code node} runs that devices of this node have joined. */
    public Set<String> roomsOf(String node) {
        return ownedBy(ownerOfRoom, node);
    }

    private static Set<String> ownedBy(Map<String, String> owners, String node) {
        Set<String> out = new HashSet<>();
        owners.forEach((id, owner) -> {
            if (owner.equals(node)) {
                out.add(id);
            }
        });
        return out;
    }

    /**
     * {@code node} is gone: its calls are gone with it (unless this node takes them over). Its rooms
     * stay routed to it until the take-over says who runs them ({@link #moved}, {@link #forgetRoom}).
     */
    public void forgetNode(String node) {
        ownerOfCall.values().removeIf(node::equals);
        sessionsInCall.keySet().retainAll(ownerOfCall.keySet());

        ownersOfSession.values().forEach(owners -> owners.remove(node));
    }

    public int calls() {
        return ownerOfCall.size();
    }
}
