package org.parley.signaling.room;

import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

/**
 * Which node runs each room, and the room's record, for a cluster's other nodes (docs/cluster.md
 * "Rooms across nodes"): a room's rules run on one owner node, a device joining it at another
 * node is forwarded there, and when the owner dies another node takes the room over from its
 * record. Alone, {@link #MEMORY}: every room is this node's. Writes are fire-and-forget and keep
 * their order.
 */
public interface RoomStore {

    /**
     * Who runs a room after a look or a claim.
     *
     * @param roomId the room
     * @param owner the node that runs it, null when this node does
     * @param taken the record of a dead owner's room this node has just claimed, to run from now on; else null
     * @param from the dead node {@code taken} was claimed from
     */
    record Claim(String roomId, String owner, StoredRoom taken, String from) {
    }

    /** One process alone: every room is this node's, nothing leaves it. */
    RoomStore MEMORY = new RoomStore() {
        @Override
        public CompletionStage<Claim> owner(String roomId) {
            return CompletableFuture.completedFuture(new Claim(roomId, null, null, null));
        }

        @Override
        public void saved(StoredRoom room) {
        }

        @Override
        public void ended(String roomId) {
        }

        @Override
        public CompletionStage<List<Claim>> claim(String deadNode, Set<String> roomIds) {
            return CompletableFuture.completedFuture(List.of());
        }
    };

    /**
     * Who runs room {@code roomId}. Nobody, or a node that no longer heartbeats: this node claims it
     * (compare-and-set, so nodes asking at once agree on one), with the dead owner's record if any.
     */
    CompletionStage<Claim> owner(String roomId);

    /** A room of this node was made or changed: its record, naming this node as the owner. */
    void saved(StoredRoom room);

    /** A room of this node ended. */
    void ended(String roomId);

    /**
     * Claims those of {@code roomIds} that {@code deadNode} still runs: exactly one node wins each.
     * Completes with who runs each room now.
     */
    CompletionStage<List<Claim>> claim(String deadNode, Set<String> roomIds);
}
