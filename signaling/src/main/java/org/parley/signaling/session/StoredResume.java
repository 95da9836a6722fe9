package org.parley.signaling.session;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Executor;
import org.parley.signaling.Scheduler;
import org.parley.signaling.session.SessionStore.Stored;

/**
 * Finds, for a {@code hello} whose resume token this node does not know, the session in the
 * {@link SessionStore} and takes it over when the node that held it has died (docs/cluster.md
 * "A node dies") or, asked first, let it go (it is alive; "Sessions in Redis"). Events other nodes
 * send the session while it is being taken over wait here and are sent once it exists, after the
 * ones the store logged. Loop thread only, except where said.
 */
final class StoredResume {

    /** How often the holder's heartbeat is looked at again while it may be dead but not yet expired. */
    private static final Duration RETRY = Duration.ofMillis(250);

    private final SessionStore store;
    private final Executor loop;
    private final Scheduler scheduler;
    private final String node;
    private final Map<String, List<ObjectNode>> claiming = new HashMap<>();
    /** The dead node each session being taken over is claimed from. */
    private final Map<String, String> claimedFrom = new HashMap<>();
    private SessionController.StoredResumeListener listener = (s, from, calls) -> { };

    StoredResume(SessionStore store, Executor loop, Scheduler scheduler, String node) {
        this.store = store;
        this.loop = loop;
        this.scheduler = scheduler;
        this.node = node;
    }

    void listen(SessionController.StoredResumeListener l) {
        this.listener = l;
    }

    boolean shared() {
        return store.shared();
    }

    /**
     * The session of {@code resumeToken} if it is {@code user}'s {@code device} and its node died
     * or let it go, now claimed by this node; completes on the loop. Empty when there is none to
     * take over.
     */
    CompletionStage<Optional<Stored>> find(String resumeToken, String user, String device) {
        Attempt a = new Attempt(resumeToken, user, device, System.nanoTime() + store.holderTimeout().toNanos());
        find(a);
        return a.out;
    }

    /** One resume looking for its session: what it asked and started, so that it claims once. */
    private static final class Attempt {
        final String resumeToken;
        final String user;
        final String device;
        final long deadline;
        final CompletableFuture<Optional<Stored>> out = new CompletableFuture<>();
        /** The session found, once it is being taken over. */
        String id;
        boolean asked;
        boolean answered;
        boolean pastDeadline;
        boolean claimed;

        Attempt(String resumeToken, String user, String device, long deadline) {
            this.resumeToken = resumeToken;
            this.user = user;
            this.device = device;
            this.deadline = deadline;
        }
    }

    /**
     * A holder that is alive is asked once to hand the session over (its client moved here, e.g.
     * after switching networks): once it let go, the session is claimed from it as from a dead
     * node. Meanwhile, as when it refuses or does not answer, a client usually comes back sooner
     * than its dead node's heartbeat expires: while the holder still looks alive, it is looked at
     * again until the deadline, and claimed as soon as it looks dead. A holder alive after that
     * (that did not let go) keeps its session and the client gets a fresh one.
     */
    private void find(Attempt a) {
        store.holder(a.resumeToken).whenCompleteAsync((held, error) -> {
            if (a.claimed || a.out.isDone()) {
                return;
            }
            if (error != null || held.isEmpty() || node.equals(held.get().node())
                    || !held.get().user().equals(a.user) || !held.get().device().equals(a.device)) {
                giveUp(a);
                return;
            }
            String id = held.get().sessionId();
            String holder = held.get().node();
            if (held.get().nodeAlive()) {
                if (!a.asked && !claiming.containsKey(id)) {
                    a.asked = true;
                    begin(a, id, holder); // events the holder passes on once it let go wait here (hold)
                    listener.release(holder, id).whenCompleteAsync((released, e) -> {
                        a.answered = true;
                        if (e == null && Boolean.TRUE.equals(released)) {
                            if (!a.claimed) {
                                // it let go alive: the calls it runs stay its own, none is claimed
                                claimedFrom.remove(a.id);
                            }
                            claim(a, holder);
                        } else if (a.pastDeadline) {
                            giveUp(a);
                        }
                    }, loop);
                }
                if (System.nanoTime() - a.deadline < 0) {
                    scheduler.schedule(RETRY, () -> find(a));
                } else {
                    a.pastDeadline = true;
                    if (!a.asked || a.answered) {
                        giveUp(a);
                    }
                }
                return;
            }
            begin(a, id, holder);
            claim(a, holder);
        }, loop);
    }

    private void begin(Attempt a, String id, String holder) {
        a.id = id;
        claiming.putIfAbsent(id, new ArrayList<>());
        claimedFrom.put(id, holder);
    }

    /** Nothing to take over (after all): empty, unless a claim is already under way. */
    private void giveUp(Attempt a) {
        if (a.claimed) {
            return;
        }
        if (a.id != null) {
            claiming.remove(a.id);
            claimedFrom.remove(a.id);
        }
        a.out.complete(Optional.empty());
    }

    /** The compare-and-set that moves the session's node from {@code from} to this one: one node wins. */
    private void claim(Attempt a, String from) {
        if (a.claimed || a.out.isDone()) {
            return;
        }
        a.claimed = true;
        store.claim(a.id, from).whenCompleteAsync((stored, e) -> {
            if (e != null || stored.isEmpty()) {
                claiming.remove(a.id);
                claimedFrom.remove(a.id);
                a.out.complete(Optional.empty());
            } else {
                a.out.complete(stored);
            }
        }, loop);
    }

    /**
     * An event from another node for session {@code sessionId}: kept for it if it is being taken
     * over (true), else left to the caller (false).
     */
    boolean hold(String sessionId, ObjectNode event) {
        List<ObjectNode> waiting = claiming.get(sessionId);
        if (waiting == null) {
            return false;
        }
        waiting.add(event);
        return true;
    }

    /** The taken-over session exists now: the listener learns its calls, then it gets what waited. */
    void tookOver(Session s, Stored stored) {
        s.calls().addAll(stored.calls().keySet());
        listener.tookOver(s, claimedFrom.remove(s.id()), stored.calls());
        List<ObjectNode> waiting = claiming.remove(s.id());
        if (waiting != null) {
            waiting.forEach(s::emit);
        }
    }
}
