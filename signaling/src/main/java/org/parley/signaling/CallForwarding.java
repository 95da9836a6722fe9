package org.parley.signaling;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.List;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Executor;
import java.util.function.Predicate;
import org.parley.signaling.call.CallSetup;
import org.parley.signaling.call.Calls;
import org.parley.signaling.cluster.CallDirectory;
import org.parley.signaling.cluster.Peers;
import org.parley.signaling.cluster.RemoteDevice;
import org.parley.signaling.cluster.Routes;
import org.parley.signaling.session.Session;
import org.parley.signaling.session.SessionStore;
import org.parley.signaling.wire.Request;

/**
 * Call requests of this node's devices that must find the node running a call before any event
 * of it has reached them (docs/cluster.md "Calls across nodes"): a {@code call.invite} that
 * crosses a ringing invite run by another node (glare, docs/protocol.md §5.7) goes there and
 * becomes its acceptance; a {@code call.pull} of a call run elsewhere goes to its owner. Both are
 * looked up in the {@link CallDirectory}; the reply teaches {@link Routes} where the call runs. An
 * invite writes its own entry in the same step as it looks, before anything rings, so that of two
 * invites crossing at two nodes exactly the later one finds the other.
 * Loop thread only.
 */
final class CallForwarding {

    private final Peers peers;
    private final CallDirectory directory;
    private final Routes routes;
    private final Calls calls;
    private final CallSetup setup;
    private final SessionStore sessions;
    private final Executor loop;

    CallForwarding(Peers peers, CallDirectory directory, Routes routes, Calls calls, CallSetup setup,
            SessionStore sessions, Executor loop) {
        this.setup = setup;
        this.peers = peers;
        this.directory = directory;
        this.routes = routes;
        this.calls = calls;
        this.sessions = sessions;
        this.loop = loop;
    }

    /**
     * {@code call.invite}: at the owner of a ringing call from the invitee to this user, else here
     * as a new call whose entry is written (with that look) before it rings.
     */
    DeferredHandler invite(DeferredHandler local) {
        return (s, r) -> {
            CallSetup.Invite invite = setup.check(s, r);
            CallDirectory.Entry mine = new CallDirectory.Entry(CallSetup.newId(), peers.node(), s.user(), invite.to(), false);
            return directory.place(mine).thenComposeAsync(found -> {
                String owner = ownerOf(found, e -> !e.answered() && e.caller().equals(invite.to())
                        && e.callee().equals(s.user()));
                if (owner != null) {
                    directory.remove(mine); // never rang: the crossing call is answered instead
                    return forward(owner, s, r);
                }
                CompletionStage<ObjectNode> placed;
                try {
                    placed = setup.invite(s, invite, mine.callId());
                } catch (RuntimeException e) {
                    placed = java.util.concurrent.CompletableFuture.failedFuture(e);
                }
                return placed.whenComplete((out, error) -> {
                    if (calls.get(mine.callId()) == null) {
                        directory.remove(mine); // refused, or answered a crossing call here: no such call
                    }
                });
            }, loop);
        };
    }

    /** {@code call.pull}: where the call runs (known from an event, else from the directory). */
    DeferredHandler pull(DeferredHandler local) {
        return (s, r) -> {
            String owner = routes.owner(r);
            if (owner != null) {
                return forward(owner, s, r);
            }
            String callId = r.body().path("callId").isTextual() ? r.body().get("callId").textValue() : null;
            if (callId == null || calls.get(callId) != null) {
                return local.handle(s, r);
            }
            return elsewhere(s, e -> e.callId().equals(callId), local, r);
        };
    }

    /** Forwards {@code r} to the owner of the first of the user's calls at another node that {@code matches}. */
    private CompletionStage<ObjectNode> elsewhere(Session s, Predicate<CallDirectory.Entry> matches,
            DeferredHandler local, Request r) {
        return directory.calls(s.user()).thenComposeAsync(found -> {
            String owner = ownerOf(found, matches);
            return owner == null ? local.handle(s, r) : forward(owner, s, r);
        }, loop);
    }

    private String ownerOf(List<CallDirectory.Entry> found, Predicate<CallDirectory.Entry> matches) {
        for (CallDirectory.Entry e : found) {
            if (!e.owner().equals(peers.node()) && matches.test(e)) {
                return e.owner();
            }
        }
        return null;
    }

    /** Sends {@code r} to {@code owner}; the call its reply names runs there from now on for this device. */
    private CompletionStage<ObjectNode> forward(String owner, Session s, Request r) {
        return peers.request(owner, RemoteDevice.of(s, peers.node()), r.body()).thenApplyAsync(reply -> {
            if (reply != null && reply.path("callId").isTextual()
                    && routes.learnt(s.id(), reply.get("callId").textValue(), owner)) {
                // so that the node resuming this session, should this one die, sends its requests there
                sessions.callOwner(s, reply.get("callId").textValue(), owner);
            }
            return reply;
        }, loop);
    }
}
