package org.parley.signaling.call;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Collection;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.function.BooleanSupplier;
import java.util.function.Function;
import java.util.regex.Pattern;
import org.parley.signaling.Scheduler;
import org.parley.signaling.SignalingConfig;
import org.parley.signaling.SignalingConfig.CallMedia;
import org.parley.signaling.SignalingMetrics;
import org.parley.signaling.auth.UserId;
import org.parley.signaling.e2ee.IdentityKey;
import org.parley.signaling.media.EndpointHooks;
import org.parley.signaling.media.RelayEndpoint;
import org.parley.signaling.media.RelayLink;
import org.parley.signaling.session.Session;
import org.parley.signaling.session.SessionObserver;
import org.parley.signaling.session.Sessions;
import org.parley.signaling.session.Visitors;
import org.parley.signaling.wire.ErrorCode;
import org.parley.signaling.wire.Json;
import org.parley.signaling.wire.ProtocolException;
import org.parley.signaling.wire.Request;

/**
 * Call set-up (docs/protocol.md §5.1-5.3, 5.7): invite, ringing every device of the callee, first
 * accept wins, reject, cancel, busy, unavailable, no-answer timeout, glare, and calls that ring a
 * device which signs in later (after the push webhook).
 */
public final class CallSetup implements SessionObserver {

    /** User ids as tokens carry them (docs/protocol.md §3.1). */
    static final Pattern USER = UserId.PATTERN;
    private static final SecureRandom RANDOM = new SecureRandom();

    private final SignalingConfig.Calls config;
    private final SignalingConfig.E2ee e2ee;
    private final Calls calls;
    private final Sessions sessions;
    private final CallTeardown teardown;
    private final RelayLink relay;
    private final Scheduler scheduler;
    private final Clock clock;
    private final SignalingMetrics metrics;
    private final Optional<IncomingCallWebhook> webhook;
    private final BooleanSupplier draining;
    private final EndpointHooks hooks;
    private final Visitors visitors;
    /** Whether a user is in an answered call run by another node; alone, never (docs/cluster.md). */
    private Function<String, CompletionStage<Boolean>> busyElsewhere = user -> NOT_BUSY;
    private static final CompletionStage<Boolean> NOT_BUSY = CompletableFuture.completedFuture(false);

    public CallSetup(SignalingConfig.Calls config, SignalingConfig.E2ee e2ee, Calls calls, Sessions sessions,
            Visitors visitors, CallTeardown teardown, RelayLink relay, Scheduler scheduler, Clock clock,
            SignalingMetrics metrics, Optional<IncomingCallWebhook> webhook, BooleanSupplier draining) {
        this.visitors = visitors;
        this.config = config;
        this.e2ee = e2ee;
        this.calls = calls;
        this.sessions = sessions;
        this.teardown = teardown;
        this.relay = relay;
        this.scheduler = scheduler;
        this.clock = clock;
        this.metrics = metrics;
        this.webhook = webhook;
        this.draining = draining;
        this.hooks = new EndpointHooks() {
            @Override
            public void transportFailed(RelayEndpoint endpoint, Session session, String reason) {
                // A detached device will resume and restart ICE; only a connected one has really lost media.
                if (session.state() != Session.State.ATTACHED) {
                    return;
                }
                Call c = calls.get(endpoint.contextId());
                if (c != null && c.isActiveDevice(session) && c.transport() == CallMedia.RELAY) {
                    teardown.end(c, EndReason.MEDIA_FAILED, null);
                }
            }
        };
    }

    /**
     * In a cluster: {@code check} tells whether a user is in an answered call another node runs
     * (completing on the loop), so that busy means the same whichever node runs the calls.
     */
    public void busyElsewhere(Function<String, CompletionStage<Boolean>> check) {
        this.busyElsewhere = check;
    }

    /** The relay endpoint of {@code s} in relay call {@code callId}, or null. */
    public RelayEndpoint relayEndpoint(Session s, String callId) {
        Call c = calls.get(callId);
        if (c == null || c.transport() != CallMedia.RELAY || !c.state().established() || !c.isActiveDevice(s)) {
            return null;
        }
        return endpoint(c, s);
    }

    /**
     * A party's endpoint in the call's relay conference. Its id names the party ({@code caller} or
     * {@code callee}), not the device, so that after a hand-off the new device's media arrives under
     * the same endpoint and the relay can keep the other side's stream continuous.
     */
    static RelayEndpoint endpoint(Call c, Session s) {
        String party = c.callerUser().equals(s.user()) ? "caller" : "callee";
        return new RelayEndpoint(c.conferenceId(), party, "callId", c.id(), true);
    }

    /**
     * A relay call this node took over: the relay's events for both parties' endpoints (offers,
     * transport failures, layer demand) come here from now on (docs/cluster.md "Calls in Redis").
     */
    public void attach(Call c) {
        if (c.transport() == CallMedia.RELAY) {
            for (Session s : List.of(c.callerDevice(), c.calleeDevice())) {
                relay.attach(endpoint(c, s), s, hooks);
            }
        }
    }

    EndpointHooks hooks() {
        return hooks;
    }

    /** A {@code call.invite} whose fields and preconditions were checked. */
    public record Invite(String to, String media, IdentityKey key) {
    }

    /** {@code call.invite}; waits for the relay only when it answers a crossing invite (glare). */
    public CompletionStage<ObjectNode> invite(Session s, Request r) {
        return invite(s, check(s, r), newId());
    }

    /** The typed error of an invite this node would refuse, before anything is written for it. */
    public Invite check(Session s, Request r) {
        String to = r.text("to", USER, "a user id");
        String media = r.text("media");
        if (!media.equals("audio") && !media.equals("video")) {
            throw ProtocolException.invalid("media", "must be \"audio\" or \"video\"");
        }
        if (to.equals(s.user())) {
            throw ProtocolException.invalid("to", "must be another user");
        }
        IdentityKey key = IdentityKey.from(r).orElse(null);
        if (key == null && e2ee.requireForCalls()) {
            throw IdentityKey.required("this server requires end-to-end encrypted calls: call.invite needs e2ee.identityKey");
        }
        if (draining.getAsBoolean()) {
            throw new ProtocolException(ErrorCode.DRAINING, "this server takes no new calls");
        }
        if (config.media() == CallMedia.RELAY) {
            relay.require();
        }
        return new Invite(to, media, key);
    }

    /**
     * A checked invite placed as call {@code callId} (in a cluster its directory entry is already
     * written, docs/cluster.md "Calls across nodes"), or answering a crossing invite here.
     */
    public CompletionStage<ObjectNode> invite(Session s, Invite invite, String callId) {
        String to = invite.to();
        String media = invite.media();
        IdentityKey key = invite.key();
        // The callee's devices at other nodes ring too, and its calls there make it busy
        // (docs/cluster.md); alone, both complete at once.
        CompletableFuture<List<Session>> elsewhere = visitors.elsewhere(to).toCompletableFuture();
        CompletableFuture<Boolean> busyThere = busyElsewhere.apply(to).toCompletableFuture();
        if (elsewhere.isDone() && busyThere.isDone()) {
            return place(s, callId, to, media, key, elsewhere.join(), busyThere.join());
        }
        return elsewhere.thenCombine(busyThere, (remote, busy) -> {
            if (!s.isLive()) {
                throw ProtocolException.wrongState("this device went away while the call was placed");
            }
            return place(s, callId, to, media, key, remote, busy);
        }).thenCompose(placed -> placed);
    }

    /** The invite, once the callee's devices at other nodes and its calls there are known. */
    private CompletionStage<ObjectNode> place(Session s, String callId, String to, String media, IdentityKey key,
            List<Session> elsewhere, boolean busyElsewhere) {
        Call glare = calls.ringingBetween(to, s.user());
        if (glare != null) {
            // Two users called each other at once. The server serialises messages, so the invite
            // that arrived first stands and this one becomes its acceptance (§5.7).
            requireKey(glare, key);
            return accept(glare, s, key).thenApply(out -> {
                out.put("glare", true);
                return out;
            });
        }
        boolean busy = calls.busy(to) || busyElsewhere;
        Instant now = clock.instant();
        Call c = new Call(callId, s, to, media, config.media(), busy && config.callWaiting(), now, key);
        calls.add(c);
        s.calls().add(c.id());
        ObjectNode out = Json.object();
        out.put("callId", c.id());
        out.put("transport", c.transport().wireName());
        if (busy && !config.callWaiting()) {
            teardown.end(c, EndReason.BUSY, null);
            return CompletableFuture.completedFuture(out);
        }
        Collection<Session> devices = withElsewhere(sessions.devices(to), elsewhere);
        if (devices.isEmpty() && webhook.isEmpty()) {
            teardown.end(c, EndReason.UNAVAILABLE, null);
            return CompletableFuture.completedFuture(out);
        }
        c.ringTimer = scheduler.schedule(config.ringTimeout(), () -> ringTimedOut(c));
        // Told even when some devices are connected: a phone asleep has no connection, so only the
        // operator's push service, which knows every device of the user, can wake it (§7).
        webhook.ifPresent(w -> w.incomingCall(c, s, devices, now.plus(config.ringTimeout())));
        ring(c, devices);
        return CompletableFuture.completedFuture(out);
    }

    private static Collection<Session> withElsewhere(Collection<Session> here, List<Session> elsewhere) {
        if (elsewhere.isEmpty()) {
            return here;
        }
        List<Session> all = new ArrayList<>(here);
        all.addAll(elsewhere);
        return all;
    }

    /** Rings devices; the caller learns it rings when the first devices do, with how many. */
    private void ring(Call c, Collection<Session> devices) {
        boolean first = false;
        for (Session device : devices) {
            first |= c.ring(device);
            device.emit(CallMessages.incoming(c));
        }
        if (first) {
            ObjectNode e = CallMessages.event("call.ringing", c);
            e.put("devices", c.ringing().size());
            c.callerDevice().emit(e);
            metrics.inviteToRinging(Duration.between(c.invitedAt(), clock.instant()));
        }
    }

    private void ringTimedOut(Call c) {
        if (c.state() == CallState.RINGING) {
            teardown.end(c, c.everRang() ? EndReason.NO_ANSWER : EndReason.UNAVAILABLE, null);
        }
    }

    /** {@code call.accept}: a relay call is answered once the relay has both endpoints. */
    public CompletionStage<ObjectNode> accept(Session s, Request r) {
        IdentityKey key = IdentityKey.from(r).orElse(null);
        Call c = calls.known(s, r.text("callId"));
        requireRinging(c, s);
        requireKey(c, key);
        return accept(c, s, key);
    }

    /** An end-to-end encrypted call is answered only by a device with an identity key; it keeps ringing otherwise. */
    private static void requireKey(Call c, IdentityKey key) {
        if (c.e2ee() && key == null) {
            throw IdentityKey.required("call " + c.id() + " is end-to-end encrypted: answering needs e2ee.identityKey");
        }
    }

    private static void requireRinging(Call c, Session s) {
        if (c.state() != CallState.RINGING || !c.ringing().contains(s)) {
            throw ProtocolException.wrongState("call " + c.id() + " is " + c.state().wireName()
                    + " and not ringing on this device");
        }
    }

    private CompletionStage<ObjectNode> accept(Call c, Session s, IdentityKey key) {
        if (c.transport() != CallMedia.RELAY) {
            return CompletableFuture.completedFuture(answered(c, s, key));
        }
        if (c.relayBusy) {
            throw ProtocolException.wrongState("call " + c.id() + " is being answered on another device");
        }
        c.relayBusy = true;
        return relay.tryAllocate(endpoint(c, c.callerDevice()), c.callerDevice(), hooks)
                .thenCompose(v -> relay.allocate(endpoint(c, s), s, hooks))
                .handle((v, error) -> {
                    c.relayBusy = false;
                    // while the relay answered, no other device could answer (relayBusy): a call
                    // still ringing is still this device's to take
                    if (error == null && c.state() == CallState.RINGING && s.isLive()) {
                        return answered(c, s, key);
                    }
                    // Refused by the relay, or the call ended (cancel, ring timeout) while the relay
                    // answered: the conference goes and nothing else changes.
                    relay.expire(c.conferenceId());
                    if (error != null) {
                        throw RelayLink.failure(error);
                    }
                    if (c.state() != CallState.RINGING) {
                        throw ProtocolException.wrongState("call " + c.id() + " is " + c.state().wireName());
                    }
                    throw ProtocolException.wrongState("this device went away while the call was answered");
                });
    }

    /** The call is answered on {@code s}: the other devices stop ringing, the caller hears of it. */
    private ObjectNode answered(Call c, Session s, IdentityKey key) {
        List<Session> others = new ArrayList<>(c.ringing());
        others.remove(s);
        c.accept(s, clock.instant(), key);
        if (c.ringTimer != null) {
            c.ringTimer.cancel();
        }
        for (Session o : others) {
            c.stopRinging(o);
            o.emit(CallMessages.ended(c, EndReason.ANSWERED_ELSEWHERE));
        }
        ObjectNode accepted = CallMessages.event("call.accepted", c);
        accepted.set("peer", CallMessages.peer(s));
        accepted.put("transport", c.transport().wireName());
        CallMessages.e2ee(accepted, c, s);
        c.callerDevice().emit(accepted);
        calls.changed(c);
        ObjectNode out = Json.object();
        out.put("callId", c.id());
        out.put("transport", c.transport().wireName());
        out.put("media", c.media());
        out.set("peer", CallMessages.peer(c.callerDevice()));
        CallMessages.e2ee(out, c, c.callerDevice());
        return out;
    }

    /**
     * The relay lost every conference (it restarted). Each answered relay call gets its conference
     * and both endpoints again and both devices are told to set up their media afresh
     * ({@code relay.reset}); a call the relay refuses now ends with {@code media_failed}. Calls
     * still ringing have nothing on the relay yet.
     */
    public void relayRestarted() {
        remakeEndpoints((conference, endpoint) -> true, RelayLink.ResetReason.RELAY_RESTARTED);
    }

    /** As {@link #relayRestarted}, for the calls whose conference a relay pool moved to another relay. */
    public void relayMoved(java.util.Set<String> conferences) {
        remakeEndpoints((conference, endpoint) -> conferences.contains(conference), RelayLink.ResetReason.RELAY_MOVED);
    }

    /** As {@link #relayMoved}, for only the endpoints (by conference) moved off a linked relay that was left. */
    public void relayEndpointsMoved(java.util.Map<String, java.util.Set<String>> endpoints) {
        remakeEndpoints((conference, endpoint) -> RelayLink.among(endpoints, conference, endpoint),
                RelayLink.ResetReason.RELAY_MOVED);
    }

    private void remakeEndpoints(java.util.function.BiPredicate<String, String> endpoints,
            RelayLink.ResetReason reason) {
        for (Call c : List.copyOf(calls.all())) {
            if (c.transport() != CallMedia.RELAY || !c.state().established() || c.relayBusy) {
                continue;
            }
            for (Session device : List.of(c.callerDevice(), c.calleeDevice())) {
                RelayEndpoint e = endpoint(c, device);
                if (!endpoints.test(e.conferenceId(), e.endpointId())) {
                    continue;
                }
                relay.tryAllocate(e, device, hooks).whenComplete((v, error) -> {
                    if (!c.state().established() || c.activeDeviceOf(device.user()) != device) {
                        return; // ended or handed off meanwhile
                    }
                    if (error != null) {
                        teardown.end(c, EndReason.MEDIA_FAILED, null);
                        return;
                    }
                    device.emit(RelayLink.resetEvent(e, reason));
                });
            }
        }
    }

    /** {@code call.reject}: from any ringing device; stops all ringing. */
    public ObjectNode reject(Session s, Request r) {
        Call c = calls.known(s, r.text("callId"));
        if (c.state() != CallState.RINGING || !c.ringing().contains(s)) {
            throw ProtocolException.wrongState("call " + c.id() + " is not ringing on this device");
        }
        teardown.end(c, EndReason.REJECTED, s);
        return null;
    }

    /** {@code call.cancel}: the caller gives up before an answer. */
    public ObjectNode cancel(Session s, Request r) {
        Call c = calls.known(s, r.text("callId"));
        if (c.state() != CallState.RINGING || c.callerDevice() != s) {
            throw ProtocolException.wrongState("only the calling device can cancel, and only while ringing");
        }
        teardown.end(c, EndReason.CANCELLED, s);
        return null;
    }

    /** A device signed in: ring it for calls already ringing its user (e.g. woken by a push). */
    @Override
    public void sessionStarted(Session s) {
        for (Call c : calls.ringingFor(s.user())) {
            if (!c.ringing().contains(s)) {
                ring(c, List.of(s));
            }
        }
    }

    /**
     * A device of the callee signed in at another node while call {@code callId} of this node rang
     * (docs/cluster.md "Calls across nodes"): it rings too, as a device signing in here would.
     */
    public void ringLate(Session device, String callId) {
        Call c = calls.get(callId);
        if (c != null && c.state() == CallState.RINGING && c.calleeUser().equals(device.user())
                && !c.ringing().contains(device)) {
            ring(c, List.of(device));
        }
    }

    /** A device is gone for good: its calls end with {@code reason}; a ringing device just stops. */
    @Override
    public void sessionEnded(Session s, String reason) {
        for (String id : List.copyOf(s.calls())) {
            Call c = calls.get(id);
            if (c == null) {
                continue;
            }
            if (c.isActiveDevice(s)) {
                boolean callerGaveUp = c.state() == CallState.RINGING && EndReason.HANGUP.equals(reason);
                teardown.end(c, callerGaveUp ? EndReason.CANCELLED : reason, s);
            } else {
                c.stopRinging(s);
            }
        }
    }

    /** A new call's id: random, so that no two nodes pick the same. */
    public static String newId() {
        byte[] b = new byte[12];
        RANDOM.nextBytes(b);
        return "c-" + Base64.getUrlEncoder().withoutPadding().encodeToString(b);
    }
}
