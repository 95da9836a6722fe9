package org.parley.signaling.session;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

/**
 * Where sessions and their event logs live beyond this process (docs/cluster.md "Sessions in
 * Redis"). The rules always work on the {@link Session} objects of the signaling loop; a store
 * keeps a copy that another node can resume from when this one has died. Alone, {@link #MEMORY}:
 * the loop's objects are all there is and nothing is copied.
 *
 * <p>Writes are fire-and-forget and keep their order (one connection); reads complete on any
 * thread. Only the node holding a session writes it, except {@link #appendOrphan} (its node died).
 */
public interface SessionStore {

    /** One process alone: nothing leaves it. */
    SessionStore MEMORY = new SessionStore() {
        @Override
        public boolean shared() {
            return false;
        }

        @Override
        public Duration holderTimeout() {
            return Duration.ZERO;
        }

        @Override
        public void saved(Session s, String previousResumeToken) {
        }

        @Override
        public void appended(Session s, long seq, String json) {
        }

        @Override
        public void acked(Session s, long seq) {
        }

        @Override
        public void callOwner(Session s, String callId, String owner) {
        }

        @Override
        public void ended(Session s) {
        }

        @Override
        public CompletionStage<Optional<Held>> holder(String resumeToken) {
            return CompletableFuture.completedFuture(Optional.empty());
        }

        @Override
        public CompletionStage<Optional<Stored>> claim(String sessionId, String from) {
            return CompletableFuture.completedFuture(Optional.empty());
        }

        @Override
        public CompletionStage<Orphan> appendOrphan(String sessionId, String deadNode, String json) {
            return CompletableFuture.completedFuture(Orphan.GONE);
        }
    };

    /** False for {@link #MEMORY}: a resume token unknown here is unknown everywhere. */
    boolean shared();

    /** How long a node that died may still look alive (its heartbeat not yet expired). */
    Duration holderTimeout();

    /** A session of this node started or resumed (new resume token): its record, the old token's gone. */
    void saved(Session s, String previousResumeToken);

    /** A local session's event, numbered {@code seq}, as sent. */
    void appended(Session s, long seq, String json);

    /** A local session's client processed everything up to {@code seq}. */
    void acked(Session s, long seq);

    /** A local session takes part in {@code callId}, which {@code owner} runs (null: the call ended). */
    void callOwner(Session s, String callId, String owner);

    /** A local session is over: its record and log go. */
    void ended(Session s);

    /** A local session was handed over to another node (it holds it now): kept, no longer renewed here. */
    default void released(Session s) {
    }

    /** Which node holds the session of {@code resumeToken}, and whose it is; empty if none. */
    CompletionStage<Optional<Held>> holder(String resumeToken);

    /**
     * Takes session {@code sessionId} over from node {@code from} (which died): from now on this
     * node holds it. Empty if it is gone or another node took it first.
     */
    CompletionStage<Optional<Stored>> claim(String sessionId, String from);

    /**
     * An event for a session whose node died, numbered and logged by the store so that whoever
     * resumes it gets it; tells where the session went if another node took it meanwhile.
     */
    CompletionStage<Orphan> appendOrphan(String sessionId, String deadNode, String json);

    /** Who holds a session: its node (and whether that node heartbeats), user and device. */
    record Held(String sessionId, String node, boolean nodeAlive, String user, String device) {
    }

    /**
     * A session as the store has it.
     *
     * @param nextSeq the seq its next event gets
     * @param events its unacknowledged events, in order, each carrying its {@code seq}
     * @param calls the calls it takes part in, by id, with the node that runs each
     */
    record Stored(String sessionId, String user, String device, long nextSeq, List<String> events,
            Map<String, String> calls) {
    }

    /** What became of an event for a dead node's session. */
    record Orphan(Kind kind, long seq, String node) {
        public static final Orphan GONE = new Orphan(Kind.GONE, 0, null);

        public enum Kind {
            /** Logged with {@code seq}. */
            LOGGED,
            /** Another node took the session over: send it there. */
            MOVED,
            /** The session is over (its grace ran out, or it was never stored). */
            GONE
        }
    }
}
