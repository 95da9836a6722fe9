package org.parley.signaling;

import java.util.Set;
import java.util.concurrent.Executor;
import java.util.function.Consumer;
import org.parley.signaling.call.CallStore;
import org.parley.signaling.cluster.RemoteDevice;
import org.parley.signaling.cluster.Routes;
import org.parley.signaling.room.RoomService;
import org.parley.signaling.room.RoomStore;
import org.parley.signaling.room.StoredRoom;
import org.parley.signaling.session.Session;
import org.parley.signaling.session.Sessions;
import org.parley.signaling.session.Visitors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Rooms whose owner died (docs/cluster.md "Rooms across nodes"): every node with a participant in
 * one claims it, exactly one wins and runs it from its record, the others learn the winner and
 * send their devices' requests there. The dead node's devices stay in the room as orphaned
 * visitors until they resume elsewhere. Loop thread only.
 */
final class RoomTakeover {

    private static final Logger LOG = LoggerFactory.getLogger(RoomTakeover.class);
    /** Prefix of a room in a stored session's map of what runs where (shared with its calls). */
    static final String ROOM_PREFIX = "room:";

    private final String self;
    private final RoomStore store;
    private final RoomService rooms;
    private final Routes routes;
    private final Sessions sessions;
    private final Visitors visitors;
    private final CallStore sessionRoutes;
    private final Executor loop;
    private Consumer<String> orphan = node -> { };

    RoomTakeover(String self, RoomStore store, RoomService rooms, Routes routes, Sessions sessions, Visitors visitors,
            CallStore sessionRoutes, Executor loop) {
        this.self = self;
        this.store = store;
        this.rooms = rooms;
        this.routes = routes;
        this.sessions = sessions;
        this.visitors = visitors;
        this.sessionRoutes = sessionRoutes;
        this.loop = loop;
    }

    /** How the visitors of a dead node are kept for their resume (the cluster inbox's). */
    void orphanWith(Consumer<String> orphan) {
        this.orphan = orphan;
    }

    /** {@code node} died running {@code roomIds}, rooms devices of this node are in: claim them. */
    void claim(String node, Set<String> roomIds) {
        if (roomIds.isEmpty()) {
            return;
        }
        store.claim(node, roomIds).whenCompleteAsync((claims, error) -> {
            if (error != null) {
                LOG.warn("the rooms of node {} were not taken over: {}", node, error.toString());
                return;
            }
            for (RoomStore.Claim c : claims) {
                settle(c);
            }
        }, loop);
    }

    /** Acts on who runs a room now: this node from the record it took, another node, or none. */
    void settle(RoomStore.Claim c) {
        if (c.taken() != null) {
            adopt(c.taken(), c.from());
        } else if (c.owner() != null) {
            routes.moved(c.roomId(), c.owner());
            LOG.info("room {} runs at node {} now", c.roomId(), c.owner());
        } else {
            routes.forgetRoom(c.roomId());
            if (!rooms.runs(c.roomId())) {
                store.ended(c.roomId());
            }
        }
    }

    private void adopt(StoredRoom sr, String deadNode) {
        routes.forgetRoom(sr.id());
        if (!rooms.adopt(sr, this::session)) {
            return;
        }
        for (StoredRoom.Member m : sr.participants()) {
            if (m.device().node().equals(deadNode)) {
                // the node that resumes it sends its requests about the room here
                sessionRoutes.sessionInCall(m.device().sessionId(), ROOM_PREFIX + sr.id(), self);
            }
        }
        orphan.accept(deadNode);
        LOG.info("took over room {} from node {}", sr.id(), deadNode);
    }

    private Session session(RemoteDevice d) {
        if (!d.node().equals(self)) {
            return visitors.of(d);
        }
        Session s = sessions.byId(d.sessionId());
        return s != null && s.isLive() ? s : null;
    }
}
