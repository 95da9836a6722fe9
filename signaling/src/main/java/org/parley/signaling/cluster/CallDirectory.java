package org.parley.signaling.cluster;

import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

/**
 * Which live one-to-one calls each user takes part in, at every node (docs/cluster.md "Calls
 * across nodes"): what busy, glare, ringing a device that signs in later and a pull from another
 * node ask about, since the calls of one user may run on several nodes. Each owner writes the
 * entries of its calls as they start, are answered and end; readers see only live owners'.
 */
public interface CallDirectory {

    /**
     * One call of a user as the directory keeps it.
     *
     * @param owner the node running the call
     * @param answered false while it rings, true once a device accepted it
     */
    record Entry(String callId, String owner, String caller, String callee, boolean answered) {
    }

    /** One process alone: its {@code Calls} know everything, nothing is written. */
    CallDirectory NONE = new CallDirectory() {
        @Override
        public CompletionStage<List<Entry>> calls(String user) {
            return CompletableFuture.completedFuture(List.of());
        }

        @Override
        public CompletionStage<List<Entry>> place(Entry e) {
            return CompletableFuture.completedFuture(List.of());
        }

        @Override
        public void put(Entry e) {
        }

        @Override
        public void remove(Entry e) {
        }
    };

    /** The calls {@code user} takes part in whose owner is alive; completes on any thread. */
    CompletionStage<List<Entry>> calls(String user);

    /**
     * A call this node is about to ring: its entry under both parties, written in one step with a
     * look at the caller's calls (live owners'), so that of two crossing invites the second sees the
     * first (glare, docs/protocol.md §5.7). Issued before anything later put or removed.
     */
    CompletionStage<List<Entry>> place(Entry e);

    /** A call this node owns started or was answered: its entry under both parties. Fire-and-forget, in order. */
    void put(Entry e);

    /** A call this node owns ended: its entry goes from both parties. */
    void remove(Entry e);
}
