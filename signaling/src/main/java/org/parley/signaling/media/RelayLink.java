package org.parley.signaling.media;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Executor;
import java.util.function.BiFunction;
import org.parley.relay.control.EndpointListener;
import org.parley.relay.control.PeerConnectionRole;
import org.parley.relay.control.RelayControl;
import org.parley.relay.control.RelayException;
import org.parley.relay.control.SourceKind;
import org.parley.signaling.session.Session;
import org.parley.signaling.wire.ErrorCode;
import org.parley.signaling.wire.Json;
import org.parley.signaling.wire.ProtocolException;
import org.parley.signaling.wire.Request;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Ferries SDP and ICE candidates between a device and the media relay (docs/protocol.md §6.4). It
 * knows nothing about SDP: the relay owns all media knowledge. Relay operations never run on the
 * signaling loop: they run on {@link RelayLanes} in order per conference, and their outcome comes
 * back to the loop as a completed future (typed errors included). Relay callbacks arrive on relay
 * threads and are handed to the signaling loop too.
 */
public final class RelayLink implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(RelayLink.class);

    /** How long an unreachable relay is not called again (see {@link RelayCircuit}). */
    static final Duration UNREACHABLE_HOLD_OFF = Duration.ofSeconds(5);

    private final RelayRoutes relays;
    private final Executor loop;
    private final RelayCircuit circuit;
    private final RelayLanes lanes = new RelayLanes();
    private BiFunction<Session, String, RelayEndpoint> calls = (s, id) -> null;
    private BiFunction<Session, String, RelayEndpoint> rooms = (s, id) -> null;
    private BiFunction<Session, String, Set<String>> roomMembers = (s, id) -> Set.of();
    /** The cluster node a device is connected to (null: this one), where its endpoint's region comes from. */
    private java.util.function.Function<Session, String> deviceNode = s -> null;

    public RelayLink(Optional<RelayControl> relay, Executor loop, Clock clock) {
        this(new SingleRelay(relay), loop, clock);
    }

    /** With the relays a cluster's pool places conferences on, or one relay ({@link SingleRelay}). */
    public RelayLink(RelayRoutes relays, Executor loop, Clock clock) {
        this.relays = relays;
        this.loop = loop;
        this.circuit = new RelayCircuit(clock, UNREACHABLE_HOLD_OFF);
    }

    /** How to find a device's endpoint from a {@code callId} / {@code roomId}; null when it has none. */
    public void resolvers(BiFunction<Session, String, RelayEndpoint> calls,
            BiFunction<Session, String, RelayEndpoint> rooms) {
        this.calls = calls;
        this.rooms = rooms;
    }

    /** How to tell the node a session's device is connected to (a visitor's); null for this node's. */
    public void deviceNodes(java.util.function.Function<Session, String> nodeOf) {
        this.deviceNode = nodeOf;
    }

    /** The participant ids of a room the session is in (for {@code media.constraints}). */
    public void roomMembers(BiFunction<Session, String, Set<String>> members) {
        this.roomMembers = members;
    }

    /**
     * Runs {@code onLoop} on the loop when the relay reports that it lost every conference (a
     * remote relay that restarted). The relay answers again by then, so the circuit closes first:
     * what {@code onLoop} asks of the relay is not refused for the failures before the restart.
     */
    public void onRestart(Runnable onLoop) {
        try {
            relays.onRestart(() -> loop.execute(() -> {
                circuit.answered();
                onLoop.run();
            }));
        } catch (RuntimeException e) {
            // a relay that cannot take the registration (not started, broken) reports no restarts
            LOG.warn("relay restarts will not be noticed: {}", e.toString());
        }
    }

    /**
     * Runs {@code onLoop} on the loop with the conferences a relay pool moved to another relay (their
     * relay stopped answering or is draining); their endpoints are to be allocated again there.
     */
    public void onMoved(java.util.function.Consumer<Set<String>> onLoop) {
        relays.onMoved(moved -> loop.execute(() -> onLoop.accept(moved)));
    }

    /**
     * Runs {@code onLoop} on the loop with the endpoints (by conference) a relay pool moved off a
     * linked relay that was left; only these are to be allocated again, the others stay.
     */
    public void onEndpointsMoved(java.util.function.Consumer<java.util.Map<String, Set<String>>> onLoop) {
        relays.onEndpointsMoved(moved -> loop.execute(() -> onLoop.accept(moved)));
    }

    /** Whether an endpoint is among {@code moved} (conference -> endpoint ids), as {@link #onEndpointsMoved} gives them. */
    public static boolean among(java.util.Map<String, Set<String>> moved, String conferenceId, String endpointId) {
        return moved.getOrDefault(conferenceId, Set.of()).contains(endpointId);
    }

    /** A room asks for its first relay in {@code region} (docs/protocol.md §6.2); ordered before its endpoints. */
    public void askRegion(String conferenceId, String region) {
        if (relays.configured()) {
            lanes.submit(conferenceId, () -> relays.askRegion(conferenceId, region));
        }
    }

    /** Why a device's relay connections start over: the reason of {@code relay.reset}. */
    public enum ResetReason {
        /** The relay restarted and lost every conference. */
        RELAY_RESTARTED,
        /** The conference moved to another relay of the pool (the old one died or drains). */
        RELAY_MOVED;

        String wire() {
            return name().toLowerCase(Locale.ROOT);
        }
    }

    /**
     * The {@code relay.reset} event for a device whose endpoint was made again after the relay lost
     * it: the device sets up both its relay connections afresh (docs/protocol.md §6.4).
     */
    public static ObjectNode resetEvent(RelayEndpoint e, ResetReason reason) {
        ObjectNode ev = Json.event("relay.reset");
        ev.put(e.contextField(), e.contextId());
        ev.put("reason", reason.wire());
        return ev;
    }

    public boolean available() {
        return relays.configured();
    }

    /** Throws {@code relay_unavailable} when no relay is configured. */
    public void require() {
        if (!relays.configured()) {
            throw new ProtocolException(ErrorCode.RELAY_UNAVAILABLE, "no media relay is configured on this server");
        }
    }

    /**
     * Creates the conference if needed and allocates the device's endpoint. Completes on the loop
     * once the relay has answered; relay refusals become typed errors ({@link ProtocolException}).
     */
    public CompletableFuture<Void> allocate(RelayEndpoint e, Session s, EndpointHooks hooks) {
        require();
        Listener listener = new Listener(e, s, hooks);
        CompletableFuture<Void> allocated = call(e.conferenceId(), e.endpointId(), deviceNode.apply(s), r -> {
            r.createConference(e.conferenceId());
            r.allocateEndpoint(e.conferenceId(), e.endpointId(), listener);
            return null;
        });
        // In a later loop task, once the caller has made the endpoint its device's (or not)
        allocated.whenComplete((v, error) -> loop.execute(listener::allocated));
        return allocated;
    }

    /**
     * As {@link #allocate}, but a refusal comes as a failed future, never thrown: for callers that
     * have changed state they restore whatever the outcome, and for endpoints made again after a
     * relay restart, where one device's refusal must not stop the others'.
     */
    public CompletableFuture<Void> tryAllocate(RelayEndpoint e, Session s, EndpointHooks hooks) {
        try {
            return allocate(e, s, hooks);
        } catch (ProtocolException refused) {
            return CompletableFuture.failedFuture(refused);
        }
    }

    /**
     * Hears the relay's events for an endpoint another node allocated, from now on: this node took
     * its call or room over (docs/cluster.md "Calls in Redis"). Loop thread; never fails (a relay
     * that does not answer is logged, the endpoint's media goes on without its events).
     */
    public void attach(RelayEndpoint e, Session s, EndpointHooks hooks) {
        if (!relays.configured()) {
            return;
        }
        Listener listener = new Listener(e, s, hooks);
        listener.allocated();
        lanes.submit(e.conferenceId(), () -> {
            try {
                // relayFor, not placed: this node has not placed the conference, the pool's
                // placement in Redis names its relay, and the endpoint's relay of a conference
                // spread over linked relays (from now on this node knows them)
                relays.relayFor(e.conferenceId(), e.endpointId()).attachEndpoint(e.conferenceId(), e.endpointId(),
                        listener);
            } catch (RuntimeException x) {
                LOG.warn("the relay's events for endpoint {} of {} will not reach this node: {}", e.endpointId(),
                        e.conferenceId(), x.toString());
            }
        });
    }

    /** Releases a device's endpoint; never fails. */
    public void release(String conferenceId, String endpointId) {
        if (relays.configured()) {
            quietly(conferenceId, endpointId, r -> r.expireEndpoint(conferenceId, endpointId));
            lanes.submit(conferenceId, () -> relays.released(conferenceId, endpointId));
        }
    }

    /** Ends a relay conference; never fails. */
    public void expire(String conferenceId) {
        if (relays.configured()) {
            boolean refusing = relays.single() && circuit.refusingForMillis() > 0;
            lanes.submit(conferenceId, () -> {
                for (RelayControl r : refusing ? List.<RelayControl>of() : relays.allPlaced(conferenceId)) {
                    try {
                        r.expireConference(conferenceId);
                    } catch (RuntimeException e) {
                        LOG.debug("conference not expired on a relay: {}", e.toString());
                    }
                }
            });
            lanes.submit(conferenceId, () -> relays.ended(conferenceId));
        }
    }

    /** Tells the relay to stop or resume forwarding one source of an endpoint; a failure is logged. */
    public void mute(String conferenceId, String endpointId, SourceKind kind, boolean muted) {
        require();
        quietly(conferenceId, endpointId, r -> r.setSourceMuted(conferenceId, endpointId, kind, muted));
    }

    /** Which publishers an endpoint receives ({@code null}: everyone); a failure is logged. */
    public void subscribe(String conferenceId, String endpointId, Set<String> publishers) {
        require();
        quietly(conferenceId, endpointId, r -> r.setSubscriptions(conferenceId, endpointId, publishers));
    }

    /** {@code relay.offer}: the client's publisher offer; replies with the relay's answer. */
    public CompletionStage<ObjectNode> offer(Session s, Request req) {
        RelayEndpoint e = resolve(s, req);
        String sdp = req.text("sdp");
        if (!e.mayPublish()) {
            throw new ProtocolException(ErrorCode.FORBIDDEN, "listeners do not publish");
        }
        require();
        return call(e.conferenceId(), e.endpointId(), r -> r.answerPublisherOffer(e.conferenceId(), e.endpointId(), sdp))
                .thenApply(answer -> {
                    ObjectNode out = Json.object();
                    out.put(e.contextField(), e.contextId());
                    out.put("sdp", answer);
                    return out;
                });
    }

    /** {@code relay.answer}: the client's answer on its subscriber connection. */
    public CompletionStage<ObjectNode> answer(Session s, Request req) {
        RelayEndpoint e = resolve(s, req);
        String sdp = req.text("sdp");
        require();
        return call(e.conferenceId(), e.endpointId(), r -> {
            r.acceptSubscriberAnswer(e.conferenceId(), e.endpointId(), sdp);
            return null;
        });
    }

    /**
     * {@code media.constraints}: what this device asks of the video it receives (last-N, pinned,
     * on stage, per-source limits). Checked whole before the relay hears of it: a bad request
     * changes nothing. Each replaces the device's previous constraints.
     */
    public CompletionStage<ObjectNode> constraints(Session s, Request req) {
        RelayEndpoint e = resolve(s, req);
        Set<String> others = new java.util.HashSet<>("callId".equals(e.contextField())
                ? Set.of("caller", "callee") : roomMembers.apply(s, e.contextId()));
        others.remove(e.endpointId());
        org.parley.relay.control.ReceiverConstraints c = ConstraintsRequest.read(req, others);
        require();
        return call(e.conferenceId(), e.endpointId(), r -> {
            r.setReceiverConstraints(e.conferenceId(), e.endpointId(), c);
            return null;
        });
    }

    /** {@code relay.candidate}: a trickled candidate for one of the client's two connections. */
    public CompletionStage<ObjectNode> candidate(Session s, Request req) {
        RelayEndpoint e = resolve(s, req);
        PeerConnectionRole role = switch (req.text("connection")) {
            case "publisher" -> PeerConnectionRole.PUBLISHER;
            case "subscriber" -> PeerConnectionRole.SUBSCRIBER;
            default -> throw ProtocolException.invalid("connection", "must be \"publisher\" or \"subscriber\"");
        };
        if (!req.body().has("candidate") || !req.body().get("candidate").isTextual()) {
            throw req.body().has("candidate") ? ProtocolException.invalid("candidate", "must be a string")
                    : Request.missing("candidate");
        }
        String candidate = req.body().get("candidate").textValue();
        require();
        return call(e.conferenceId(), e.endpointId(), r -> {
            r.addRemoteCandidate(e.conferenceId(), e.endpointId(), role, candidate);
            return null;
        });
    }

    /**
     * The typed error inside a failed relay stage, to rethrow from a continuation so that the
     * request fails with it.
     */
    public static RuntimeException failure(Throwable error) {
        Throwable cause = error instanceof CompletionException && error.getCause() != null ? error.getCause() : error;
        return cause instanceof RuntimeException re ? re : new IllegalStateException(cause);
    }

    private RelayEndpoint resolve(Session s, Request req) {
        Optional<String> callId = req.optText("callId");
        Optional<String> roomId = req.optText("roomId");
        if (callId.isPresent() == roomId.isPresent()) {
            throw callId.isPresent() ? ProtocolException.invalid("callId", "and 'roomId' must not both be given")
                    : Request.missing("callId' or 'roomId");
        }
        RelayEndpoint e = callId.isPresent() ? calls.apply(s, callId.get()) : rooms.apply(s, roomId.get());
        if (e == null) {
            throw callId.isPresent()
                    ? new ProtocolException(ErrorCode.UNKNOWN_CALL, "no relay call " + callId.get() + " on this device")
                    : new ProtocolException(ErrorCode.UNKNOWN_ROOM, "this device is not in room " + roomId.get());
        }
        return e;
    }

    private interface RelayCall<T> {
        T run(RelayControl relay);
    }

    private interface QuietCall {
        void run(RelayControl relay);
    }

    /**
     * Runs {@code c} on the conference's lane; the future completes on the loop with its result
     * or with the typed error a client can act on.
     */
    private <T> CompletableFuture<T> call(String conferenceId, String endpointId, RelayCall<T> c) {
        return call(conferenceId, endpointId, null, c);
    }

    /** As {@link #call(String, String, RelayCall)}, placing a new endpoint by its device's node. */
    private <T> CompletableFuture<T> call(String conferenceId, String endpointId, String deviceNode, RelayCall<T> c) {
        long refusing = relays.single() ? circuit.refusingForMillis() : 0;
        if (refusing > 0) {
            throw new ProtocolException(ErrorCode.RELAY_UNAVAILABLE,
                    "relay: unreachable, tried again in " + (refusing + 999) / 1000 + " s");
        }
        CompletableFuture<T> done = new CompletableFuture<>();
        lanes.submit(conferenceId, () -> {
            try {
                T result = c.run(deviceNode == null ? relays.relayFor(conferenceId, endpointId)
                        : relays.relayFor(conferenceId, endpointId, deviceNode));
                loop.execute(() -> {
                    circuit.answered();
                    done.complete(result);
                });
            } catch (RuntimeException | Error e) {
                if (unanswered(e)) {
                    relays.unreachable(conferenceId);
                }
                loop.execute(() -> done.completeExceptionally(refusal(e)));
            }
        });
        return done;
    }

    /** Maps what the relay threw to the client's typed error, and opens the circuit if it is gone. */
    private ProtocolException refusal(Throwable e) {
        if (e instanceof RelayException re) {
            if (re.reason() == RelayException.Reason.UNAVAILABLE) {
                circuit.failed();
            } else {
                circuit.answered();
            }
            ErrorCode code = switch (re.reason()) {
                case BAD_SDP -> ErrorCode.BAD_SDP;
                case WRONG_STATE -> ErrorCode.WRONG_STATE;
                case CAPACITY, UNAVAILABLE -> ErrorCode.RELAY_UNAVAILABLE;
                default -> ErrorCode.RELAY_ERROR;
            };
            return new ProtocolException(code, "relay: " + re.reason().name().toLowerCase(Locale.ROOT) + ": "
                    + re.getMessage());
        }
        // a relay that is not started, unreachable (remote control) or broken: the client gets a
        // typed error it can act on, not "internal"
        circuit.failed();
        LOG.warn("relay call failed", e);
        return new ProtocolException(ErrorCode.RELAY_UNAVAILABLE, "relay: " + e.getClass().getSimpleName());
    }

    /** Whether {@code e} says the relay is gone or broken rather than refusing what was asked. */
    private static boolean unanswered(Throwable e) {
        return !(e instanceof RelayException re) || re.reason() == RelayException.Reason.UNAVAILABLE;
    }

    /** Runs {@code r} on the conference's lane; nobody waits for it, a failure is only logged. */
    private void quietly(String conferenceId, String endpointId, QuietCall r) {
        if (relays.single() && circuit.refusingForMillis() > 0) {
            // the relay expires what it is not told about: endpoints time out when media stops
            return;
        }
        lanes.submit(conferenceId, () -> {
            try {
                Optional<RelayControl> relay = relays.placed(conferenceId, endpointId);
                if (relay.isPresent()) {
                    r.run(relay.get());
                }
            } catch (RuntimeException e) {
                if (unanswered(e)) {
                    relays.unreachable(conferenceId);
                    loop.execute(circuit::failed);
                }
                LOG.debug("relay call failed: {}", e.toString());
            }
        });
    }

    /** Stops the relay-call threads; calls still queued are dropped (the relay expires idle endpoints). */
    @Override
    public void close() {
        lanes.close();
    }

    /** Relay events for one device, moved onto the loop and sent while the device still has the endpoint. */
    private final class Listener implements EndpointListener {

        private final RelayEndpoint endpoint;
        private final Session session;
        private final EndpointHooks hooks;

        /**
         * Events the relay sent while the allocation was still on its way back (the relay may
         * offer and gather candidates at once): the device is not the endpoint's owner until the
         * caller has seen the allocation complete, so they wait for that. Loop thread only.
         */
        private List<Runnable> early = new ArrayList<>();

        Listener(RelayEndpoint endpoint, Session session, EndpointHooks hooks) {
            this.endpoint = endpoint;
            this.session = session;
            this.hooks = hooks;
        }

        /** The allocation's outcome has been handled: events go out (if the endpoint is the device's). */
        void allocated() {
            List<Runnable> waiting = early;
            early = null;
            if (waiting != null) {
                waiting.forEach(Runnable::run);
            }
        }

        /** Runs {@code event} on the loop, after the allocation's outcome has been handled. */
        private void deliver(Runnable event) {
            loop.execute(() -> {
                if (early != null) {
                    early.add(event);
                } else {
                    event.run();
                }
            });
        }

        private boolean current() {
            RelayEndpoint now = endpoint.contextField().equals("callId")
                    ? calls.apply(session, endpoint.contextId()) : rooms.apply(session, endpoint.contextId());
            return now != null && now.conferenceId().equals(endpoint.conferenceId());
        }

        @Override
        public void onSubscriberOffer(String sdpOffer) {
            deliver(() -> {
                if (current()) {
                    ObjectNode ev = Json.event("relay.offer");
                    ev.put(endpoint.contextField(), endpoint.contextId());
                    ev.put("sdp", sdpOffer);
                    session.emit(ev);
                }
            });
        }

        @Override
        public void onLocalCandidate(PeerConnectionRole connection, String candidate) {
            deliver(() -> {
                if (current()) {
                    ObjectNode ev = Json.event("relay.candidate");
                    ev.put(endpoint.contextField(), endpoint.contextId());
                    ev.put("connection", connection == PeerConnectionRole.PUBLISHER ? "publisher" : "subscriber");
                    ev.put("candidate", candidate);
                    session.emit(ev);
                }
            });
        }

        @Override
        public void onActiveSpeaker(String speakerEndpointId) {
            deliver(() -> {
                if (current()) {
                    hooks.activeSpeaker(endpoint, session, speakerEndpointId);
                }
            });
        }

        /** {@code media.layers}: which layers of its source the device's encoder should send. */
        @Override
        public void onLayersNeeded(SourceKind kind, List<Boolean> active) {
            deliver(() -> {
                if (current()) {
                    ObjectNode ev = Json.event("media.layers");
                    ev.put(endpoint.contextField(), endpoint.contextId());
                    ev.put("kind", kind.name().toLowerCase(Locale.ROOT));
                    var list = ev.putArray("active");
                    active.forEach(list::add);
                    session.emit(ev);
                }
            });
        }

        @Override
        public void onTransportFailed(String reason) {
            deliver(() -> {
                if (current()) {
                    hooks.transportFailed(endpoint, session, reason);
                }
            });
        }
    }
}
