package org.parley.signaling;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Executor;
import org.parley.signaling.cluster.Peers;
import org.parley.signaling.cluster.RemoteDevice;
import org.parley.signaling.cluster.Routes;
import org.parley.signaling.room.RoomService;
import org.parley.signaling.room.RoomStore;
import org.parley.signaling.session.Session;
import org.parley.signaling.session.SessionStore;
import org.parley.signaling.wire.ErrorCode;
import org.parley.signaling.wire.ProtocolException;
import org.parley.signaling.wire.Request;

/**
 * {@code room.join} and {@code room.create} with a room id in a cluster (docs/cluster.md "Rooms
 * across nodes"): the node that runs the room is asked of the {@link RoomStore} (which makes it
 * this node when no live node runs it), and a join of a room another node runs is forwarded there,
 * where the device takes part as a visitor. From then on the device's requests naming that room
 * follow it ({@link Routes}). Loop thread only.
 */
final class RoomForwarding {

    private final Peers peers;
    private final RoomStore store;
    private final Routes routes;
    private final RoomService rooms;
    private final Executor loop;
    private final SessionStore sessions;
    private final RoomTakeover takeover;

    RoomForwarding(Peers peers, RoomStore store, Routes routes, RoomService rooms, Executor loop, SessionStore sessions,
            RoomTakeover takeover) {
        this.sessions = sessions;
        this.takeover = takeover;
        this.peers = peers;
        this.store = store;
        this.routes = routes;
        this.rooms = rooms;
        this.loop = loop;
    }

    /** {@code room.join}: here when this node runs the room (or now starts it), else at its owner. */
    DeferredHandler join(DeferredHandler local) {
        return (s, r) -> {
            String roomId = roomId(r);
            if (roomId == null) {
                return local.handle(s, r); // the local handler gives the typed error
            }
            return ownerOf(roomId).thenCompose(owner -> {
                if (owner == null) {
                    routes.forgetRoom(roomId);
                    return here(local, s, r, roomId);
                }
                return peers.request(owner, RemoteDevice.of(s, peers.node()), r.body()).thenApplyAsync(reply -> {
                    routes.joined(s.id(), roomId, owner);
                    // so that the node resuming this session, should this one die, sends its requests there
                    sessions.callOwner(s, RoomTakeover.ROOM_PREFIX + roomId, owner);
                    return reply;
                }, loop);
            });
        };
    }

    /** {@code room.create} naming its id: {@code room_exists} when another node runs that room. */
    DeferredHandler create(DeferredHandler local) {
        return (s, r) -> {
            String roomId = roomId(r);
            if (roomId == null) {
                return local.handle(s, r); // the server picks a fresh id
            }
            return ownerOf(roomId).thenCompose(owner -> {
                if (owner != null) {
                    throw new ProtocolException(ErrorCode.ROOM_EXISTS, "room " + roomId + " exists");
                }
                routes.forgetRoom(roomId);
                return here(local, s, r, roomId);
            });
        };
    }

    /** Runs the local handler; when it leaves no room here, the claim this node made goes again. */
    private CompletionStage<ObjectNode> here(DeferredHandler local, Session s, Request r, String roomId) {
        CompletionStage<ObjectNode> answer;
        try {
            answer = local.handle(s, r);
        } catch (RuntimeException e) {
            answer = CompletableFuture.failedFuture(e);
        }
        return answer.whenCompleteAsync((reply, error) -> {
            if (!rooms.runs(roomId)) {
                store.ended(roomId);
            }
        }, loop);
    }

    /**
     * The room's owner (null: this node), completing on the loop. A room this node has just claimed
     * from a dead owner runs here from its record first.
     */
    private CompletionStage<String> ownerOf(String roomId) {
        return store.owner(roomId).thenApplyAsync(claim -> {
            if (claim.taken() != null) {
                takeover.settle(claim);
            }
            return claim.owner();
        }, loop);
    }

    /** The request's room id, or null when it has none or a malformed one. */
    private static String roomId(Request r) {
        String id = r.body().path("roomId").isTextual() ? r.body().get("roomId").textValue() : null;
        return id != null && RoomService.isRoomId(id) ? id : null;
    }
}
