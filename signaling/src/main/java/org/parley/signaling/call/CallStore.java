package org.parley.signaling.call;

import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

/**
 * Where an owner keeps its answered calls for the other nodes (docs/cluster.md "Calls in Redis"),
 * so that one of them takes a call over when the owner dies. Alone, {@link #MEMORY}: nothing is
 * copied and nothing can be taken over. Writes are fire-and-forget and keep their order.
 */
public interface CallStore {

    /** One process alone: nothing leaves it. */
    CallStore MEMORY = new CallStore() {
        @Override
        public void saved(StoredCall c) {
        }

        @Override
        public void ended(String callId) {
        }

        @Override
        public CompletionStage<List<StoredCall>> claim(String deadNode, Set<String> callIds) {
            return CompletableFuture.completedFuture(List.of());
        }

        @Override
        public void sessionInCall(String sessionId, String callId, String owner) {
        }
    };

    /** A call this node owns was answered or changed (state, media flags, active devices). */
    void saved(StoredCall c);

    /** A call this node owns ended: its record goes. */
    void ended(String callId);

    /**
     * Takes over those of {@code callIds} that {@code deadNode} still owns; each call is claimed
     * by exactly one node (compare-and-set on its owner). Completes with the calls this node won.
     */
    CompletionStage<List<StoredCall>> claim(String deadNode, Set<String> callIds);

    /** The node that runs {@code callId} now (after a claim this node lost), or null when none. */
    default CompletionStage<String> owner(String callId) {
        return CompletableFuture.completedFuture(null);
    }

    /**
     * Writes into the stored session {@code sessionId} (of a node that died) that {@code owner}
     * runs {@code callId} now, so that the node resuming it sends its requests there.
     */
    void sessionInCall(String sessionId, String callId, String owner);
}
