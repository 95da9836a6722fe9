package org.parley.signaling.room;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import org.parley.signaling.Scheduler;
import org.parley.signaling.media.RelayLink;
import org.parley.signaling.session.Session;
import org.parley.signaling.wire.ErrorCode;
import org.parley.signaling.wire.Json;
import org.parley.signaling.wire.ProtocolException;
import org.parley.signaling.wire.Request;

/** Every room by id, and what happens to all of a room's participants at once. Loop thread only. */
final class Rooms {

    private final Map<String, Room> byId = new HashMap<>();
    private final RelayLink relay;
    private final Scheduler scheduler;
    private final Duration emptyTimeout;
    private RoomStore store = RoomStore.MEMORY;
    private java.util.function.Function<Session, org.parley.signaling.cluster.RemoteDevice> where;

    Rooms(RelayLink relay, Scheduler scheduler, Duration emptyTimeout) {
        this.relay = relay;
        this.scheduler = scheduler;
        this.emptyTimeout = emptyTimeout;
    }

    /**
     * In a cluster: the other nodes learn from {@code store} which rooms this node runs, and each
     * room's record; {@code where} gives a participant's device and the node it is connected to.
     */
    void storeIn(RoomStore store, java.util.function.Function<Session, org.parley.signaling.cluster.RemoteDevice> where) {
        this.store = store;
        this.where = where;
    }

    /** The room changed (options, members, removals, invites, participants): its record is written again. */
    void changed(Room room) {
        if (where != null && byId.get(room.id()) == room) {
            store.saved(RoomRecords.stored(room, where));
        }
    }

    Room get(String id) {
        return byId.get(id);
    }

    /**
     * Adds a room. One that nobody has joined yet (made by {@code room.create}) ends after the
     * empty timeout if it is still empty then, so created-and-abandoned rooms do not pile up;
     * rooms emptied by the last leave end at once (see {@link #leave}).
     */
    void add(Room r) {
        byId.put(r.id(), r);
        changed(r);
        if (r.size() == 0) {
            scheduler.schedule(emptyTimeout, () -> {
                // nobody joined, so the relay holds no conference for it
                if (byId.get(r.id()) == r && r.size() == 0 && r.joining() == 0) {
                    byId.remove(r.id());
                    store.ended(r.id());
                }
            });
        }
    }

    /** Every room, as a copy (so the caller may end rooms while it goes through them). */
    java.util.List<Room> all() {
        return java.util.List.copyOf(byId.values());
    }

    /** Rooms with someone in them (for drain). */
    int live() {
        int n = 0;
        for (Room r : byId.values()) {
            if (r.size() > 0) {
                n++;
            }
        }
        return n;
    }

    int participants() {
        int n = 0;
        for (Room r : byId.values()) {
            n += r.size();
        }
        return n;
    }

    int size() {
        return byId.size();
    }

    /** The room {@code s} has joined and its participant there, or {@code unknown_room}. */
    Participant joined(Session s, Request r) {
        String roomId = r.text("roomId");
        Room room = byId.get(roomId);
        Participant p = room == null ? null : room.participant(s.id());
        if (p == null) {
            throw new ProtocolException(ErrorCode.UNKNOWN_ROOM, "this device is not in room " + roomId);
        }
        return p;
    }

    Room roomOf(Participant p, Request r) {
        return byId.get(r.text("roomId"));
    }

    /** Sends {@code event} to every participant but {@code except}. */
    void broadcast(Room room, ObjectNode event, Participant except) {
        for (Participant p : room.participants()) {
            if (p != except) {
                p.session().emit(event.deepCopy());
            }
        }
    }

    /** Takes {@code p} out of the room and tells the others; an emptied room ends. */
    void leave(Room room, Participant p, String reason) {
        room.remove(p);
        p.session().rooms().remove(room.id());
        relay.release(room.conferenceId(), p.id());
        ObjectNode left = Json.event("room.participant_left");
        left.put("roomId", room.id());
        left.put("participantId", p.id());
        left.put("reason", reason);
        broadcast(room, left, null);
        endIfEmpty(room);
        changed(room);
    }

    /** An emptied room ends with its relay conference, unless a join is still waiting for the relay. */
    void endIfEmpty(Room room) {
        if (room.size() == 0 && room.joining() == 0 && byId.get(room.id()) == room) {
            relay.expire(room.conferenceId());
            byId.remove(room.id());
            store.ended(room.id());
        }
    }

    void updated(Room room, Participant p) {
        ObjectNode e = Json.event("room.participant_updated");
        e.put("roomId", room.id());
        e.set("participant", p.toJson());
        broadcast(room, e, null);
        changed(room);
    }
}
