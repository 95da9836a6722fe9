package org.parley.signaling.room;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

/**
 * Which node runs each room, for a cluster's other nodes (docs/cluster.md "Rooms across nodes"):
 * a room's rules run on one owner node, and a device joining it at another node is forwarded
 * there. Alone, {@link #MEMORY}: every room is this node's. Writes are fire-and-forget and keep
 * their order.
 */
public interface RoomStore {

    /** One process alone: every room is this node's, nothing leaves it. */
    RoomStore MEMORY = new RoomStore() {
        @Override
        public CompletionStage<String> owner(String roomId) {
            return CompletableFuture.completedFuture(null);
        }

        @Override
        public void saved(String roomId) {
        }

        @Override
        public void ended(String roomId) {
        }
    };

    /**
     * The node that runs room {@code roomId}; null when it is this node's: nobody ran it, or the
     * node that did is dead, and this node claimed it (compare-and-set, so two nodes asking at once
     * agree on one).
     */
    CompletionStage<String> owner(String roomId);

    /** A room of this node was made or changed: it names this node as its owner. */
    void saved(String roomId);

    /** A room of this node ended. */
    void ended(String roomId);
}
