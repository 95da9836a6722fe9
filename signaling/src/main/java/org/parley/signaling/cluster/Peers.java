package org.parley.signaling.cluster;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import org.parley.signaling.call.CallStore;
import org.parley.signaling.room.RoomStore;
import org.parley.signaling.session.SessionStore;

/**
 * The other nodes of a cluster, as the signaling loop uses them. Methods may be called from the
 * loop and must not block it; what other nodes send arrives through the {@link Inbox} given to
 * {@link #start}.
 */
public interface Peers {

    /** One process alone: no other node, nothing leaves it. */
    Peers NONE = new Peers() {
        @Override
        public String node() {
            return "local";
        }

        @Override
        public boolean clustered() {
            return false;
        }

        @Override
        public void start(Inbox inbox) {
        }

        @Override
        public CompletionStage<List<RemoteDevice>> devices(String user) {
            return CompletableFuture.completedFuture(List.of());
        }

        @Override
        public void signedIn(RemoteDevice device) {
        }

        @Override
        public void signedOut(RemoteDevice device) {
        }

        @Override
        public void event(String node, String sessionId, String json) {
        }

        @Override
        public CompletionStage<ObjectNode> request(String node, RemoteDevice from, ObjectNode request) {
            return CompletableFuture.failedFuture(new IllegalStateException("no cluster"));
        }

        @Override
        public void ended(String node, String sessionId, String reason) {
        }

        @Override
        public void moved(String node, String sessionId) {
        }

        @Override
        public SessionStore sessionStore(Duration resumeGrace, int maxEvents) {
            return SessionStore.MEMORY;
        }
    };

    /** This node's id. */
    String node();

    /** False for {@link #NONE}: every lookup of other nodes can be skipped. */
    boolean clustered();

    /** Starts delivering what other nodes send to {@code inbox}. */
    void start(Inbox inbox);

    /** The devices of {@code user} signed in at any node, this one included. */
    CompletionStage<List<RemoteDevice>> devices(String user);

    /** A device of this node signed in (presence). */
    void signedIn(RemoteDevice device);

    /** A device of this node signed out for good. */
    void signedOut(RemoteDevice device);

    /** An event of a call this node owns, for a device connected to {@code node}. */
    void event(String node, String sessionId, String json);

    /**
     * A request of a device of this node about a call owned by {@code node}: completes with the
     * reply's fields (null for none) or fails with the owner's
     * {@link org.parley.signaling.wire.ProtocolException}.
     */
    CompletionStage<ObjectNode> request(String node, RemoteDevice from, ObjectNode request);

    /** Tells {@code node}, which owns calls of a device of this node, that the device's session ended. */
    void ended(String node, String sessionId, String reason);

    /**
     * Tells {@code node}, which owns calls of session {@code sessionId}, that this node holds the
     * session now (it took it over from a node that died): its events come here.
     */
    void moved(String node, String sessionId);

    /**
     * Where this node keeps its sessions for the others (docs/cluster.md "Sessions in Redis"):
     * their records and event logs live {@code resumeGrace} after their node stops refreshing them,
     * logs at most {@code maxEvents} long.
     */
    SessionStore sessionStore(Duration resumeGrace, int maxEvents);

    /**
     * Where this node keeps the answered calls it owns, so that another node takes them over if it
     * dies (docs/cluster.md "Calls in Redis"); asked after {@link #sessionStore}, whose lifetime its
     * records share.
     */
    default CallStore callStore() {
        return CallStore.MEMORY;
    }

    /**
     * Asks {@code node}, alive and holding session {@code sessionId}, to hand it over to this node
     * (its client resumed here): completes with true once that node let it go and every event it
     * numbered is in the session store; fails if it refused or did not answer within request-timeout.
     */
    default CompletionStage<Boolean> release(String node, String sessionId) {
        return CompletableFuture.completedFuture(false);
    }

    /** Per-user message counters (docs/protocol.md §3); alone, in this process's memory. */
    default RateCounters rateCounters(java.time.Clock clock) {
        return RateCounters.memory(clock);
    }

    /** Every user's live calls at every node (docs/cluster.md "Calls across nodes"); alone, none is written. */
    default CallDirectory callDirectory() {
        return CallDirectory.NONE;
    }

    /**
     * Tells {@code node}, which runs ringing call {@code callId}, that {@code device} of the callee
     * signed in here after the invite: it rings there too (docs/protocol.md §7).
     */
    default void ring(String node, RemoteDevice device, String callId) {
    }

    /** Which node runs each room (docs/cluster.md "Rooms across nodes"); alone, every room is this node's. */
    default RoomStore roomStore() {
        return RoomStore.MEMORY;
    }
}
