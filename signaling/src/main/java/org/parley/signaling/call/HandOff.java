package org.parley.signaling.call;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import org.parley.signaling.SignalingConfig.CallMedia;
import org.parley.signaling.e2ee.IdentityKey;
import org.parley.signaling.media.RelayEndpoint;
import org.parley.signaling.media.RelayLink;
import org.parley.signaling.session.Session;
import org.parley.signaling.session.Sessions;
import org.parley.signaling.session.Visitors;
import org.parley.signaling.wire.ErrorCode;
import org.parley.signaling.wire.ProtocolException;
import org.parley.signaling.wire.Request;

/**
 * Moves a user's side of a live call to another of their devices (docs/protocol.md §5.5), pushed
 * from the active device or pulled by the new one. The other party stays in the call; through the
 * relay it sees only a brief gap because the relay rewrites SSRCs of the new device's media.
 */
public final class HandOff {

    private final Calls calls;
    private final Sessions sessions;
    private final RelayLink relay;
    private final CallSetup setup;
    private final Visitors visitors;

    public HandOff(Calls calls, Sessions sessions, Visitors visitors, RelayLink relay, CallSetup setup) {
        this.visitors = visitors;
        this.calls = calls;
        this.sessions = sessions;
        this.relay = relay;
        this.setup = setup;
    }

    /** {@code call.transfer}: push from the active device to {@code toDevice}. */
    public CompletionStage<ObjectNode> transfer(Session s, Request r) {
        String callId = r.text("callId");
        String toDevice = r.text("toDevice");
        Call c = calls.known(s, callId);
        if (!c.state().established() || !c.isActiveDevice(s)) {
            throw ProtocolException.wrongState("only the device carrying an accepted call can transfer it");
        }
        Session target = sessions.device(s.user(), toDevice);
        if (target != null) {
            return transfer(c, s, target, toDevice);
        }
        // A device signed in at another node takes the call as a visitor (docs/cluster.md); alone,
        // this completes at once with none.
        return visitors.elsewhere(s.user()).thenCompose(remote -> {
            Session there = remote.stream().filter(d -> d.device().equals(toDevice)).findFirst().orElse(null);
            if (there == null) {
                throw new ProtocolException(ErrorCode.UNKNOWN_DEVICE, "device " + toDevice + " is not online");
            }
            if (!c.state().established() || !c.isActiveDevice(s)) {
                throw ProtocolException.wrongState("call " + c.id() + " changed while its device was looked for");
            }
            return transfer(c, s, there, toDevice);
        });
    }

    private CompletionStage<ObjectNode> transfer(Call c, Session s, Session target, String toDevice) {
        if (target == s) {
            throw ProtocolException.wrongState("this device already carries the call");
        }
        IdentityKey key = target.identityKey();
        if (c.e2ee() && key == null) {
            throw IdentityKey.required("call " + c.id() + " is end-to-end encrypted and device " + toDevice
                    + " gave no identity key in its hello");
        }
        return move(c, s, target, key).thenApply(v -> {
            ObjectNode e = CallMessages.event("call.handoff", c);
            e.setAll(CallMessages.takeover(c, target));
            target.emit(e);
            return null;
        });
    }

    /** {@code call.pull}: another device of a party takes the call over. */
    public CompletionStage<ObjectNode> pull(Session s, Request r) {
        IdentityKey key = IdentityKey.from(r).orElse(s.identityKey());
        Call c = calls.ofUser(s, r.text("callId"));
        if (!c.state().established()) {
            throw ProtocolException.wrongState("call " + c.id() + " is " + c.state().wireName());
        }
        Session old = c.activeDeviceOf(s.user());
        if (old == s) {
            throw ProtocolException.wrongState("this device already carries the call");
        }
        if (c.e2ee() && key == null) {
            throw IdentityKey.required("call " + c.id() + " is end-to-end encrypted: call.pull needs e2ee.identityKey");
        }
        return move(c, old, s, key).thenApply(v -> CallMessages.takeover(c, s));
    }

    /** Completes on the loop once the call is on {@code to}; through the relay, after it answered. */
    private CompletionStage<Void> move(Call c, Session from, Session to, IdentityKey key) {
        if (c.transport() != CallMedia.RELAY) {
            moved(c, from, to, key);
            return CompletableFuture.completedFuture(null);
        }
        if (c.relayBusy) {
            throw ProtocolException.wrongState("call " + c.id() + " is moving between devices already");
        }
        // Same party, same endpoint id: release the old device's endpoint, then give it to the new
        // device. If the relay refuses, the old device gets its endpoint back and nothing has changed.
        c.relayBusy = true;
        RelayEndpoint party = CallSetup.endpoint(c, from);
        relay.release(party.conferenceId(), party.endpointId());
        return relay.tryAllocate(party, to, setup.hooks()).handle((v, error) -> {
            c.relayBusy = false;
            boolean still = c.state().established() && c.activeDeviceOf(from.user()) == from;
            if (error == null && still && to.isLive()) {
                moved(c, from, to, key);
                return null;
            }
            if (still) {
                if (error == null) {
                    relay.release(party.conferenceId(), party.endpointId());
                }
                relay.tryAllocate(party, from, setup.hooks());
            }
            if (error != null) {
                throw RelayLink.failure(error);
            }
            throw ProtocolException.wrongState(still ? "the device went away during the hand-off"
                    : "call " + c.id() + " ended during the hand-off");
        });
    }

    private void moved(Call c, Session from, Session to, IdentityKey key) {
        c.moveTo(from.user(), to, key);
        calls.changed(c);
        from.emit(CallMessages.ended(c, EndReason.TRANSFERRED));
        ObjectNode moved = CallMessages.event("call.transferred", c);
        moved.set("peer", CallMessages.peer(to));
        CallMessages.e2ee(moved, c, to);
        c.otherActive(to).emit(moved);
    }
}
