package org.parley.signaling.media;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.time.Clock;
import java.time.Duration;
import java.util.Locale;
import java.util.Optional;
import java.util.concurrent.Executor;
import java.util.function.BiFunction;
import org.parley.relay.control.EndpointListener;
import org.parley.relay.control.PeerConnectionRole;
import org.parley.relay.control.RelayControl;
import org.parley.relay.control.RelayException;
import org.parley.signaling.session.Session;
import org.parley.signaling.wire.ErrorCode;
import org.parley.signaling.wire.Json;
import org.parley.signaling.wire.ProtocolException;
import org.parley.signaling.wire.Request;

/**
 * Ferries SDP and ICE candidates between a device and the media relay (docs/protocol.md §6.4). It
 * knows nothing about SDP: the relay owns all media knowledge. Relay callbacks arrive on relay
 * threads and are handed to the signaling loop.
 */
public final class RelayLink {

    /** How long an unreachable relay is not called again (see {@link RelayCircuit}). */
    static final Duration UNREACHABLE_HOLD_OFF = Duration.ofSeconds(5);

    private final Optional<RelayControl> relay;
    private final Executor loop;
    private final RelayCircuit circuit;
    private BiFunction<Session, String, RelayEndpoint> calls = (s, id) -> null;
    private BiFunction<Session, String, RelayEndpoint> rooms = (s, id) -> null;

    public RelayLink(Optional<RelayControl> relay, Executor loop, Clock clock) {
        this.relay = relay;
        this.loop = loop;
        this.circuit = new RelayCircuit(clock, UNREACHABLE_HOLD_OFF);
    }

    /** How to find a device's endpoint from a {@code callId} / {@code roomId}; null when it has none. */
    public void resolvers(BiFunction<Session, String, RelayEndpoint> calls,
            BiFunction<Session, String, RelayEndpoint> rooms) {
        this.calls = calls;
        this.rooms = rooms;
    }

    public boolean available() {
        return relay.isPresent();
    }

    /** Throws {@code relay_unavailable} when no relay is configured. */
    public RelayControl require() {
        return relay.orElseThrow(() -> new ProtocolException(ErrorCode.RELAY_UNAVAILABLE,
                "no media relay is configured on this server"));
    }

    /**
     * Creates the conference if needed and allocates the device's endpoint; relay refusals become
     * typed errors.
     */
    public void allocate(RelayEndpoint e, Session s, EndpointHooks hooks) {
        RelayControl r = require();
        call(() -> {
            r.createConference(e.conferenceId());
            r.allocateEndpoint(e.conferenceId(), e.endpointId(), new Listener(e, s, hooks));
            return null;
        });
    }

    /** Releases a device's endpoint; never throws. */
    public void release(String conferenceId, String endpointId) {
        relay.ifPresent(r -> quietly(() -> r.expireEndpoint(conferenceId, endpointId)));
    }

    /** Ends a relay conference; never throws. */
    public void expire(String conferenceId) {
        relay.ifPresent(r -> quietly(() -> r.expireConference(conferenceId)));
    }

    /** Tells the relay to stop or resume forwarding one source of an endpoint. */
    public void mute(String conferenceId, String endpointId, org.parley.relay.control.SourceKind kind, boolean muted) {
        RelayControl r = require();
        call(() -> {
            r.setSourceMuted(conferenceId, endpointId, kind, muted);
            return null;
        });
    }

    public void subscribe(String conferenceId, String endpointId, java.util.Set<String> publishers) {
        RelayControl r = require();
        call(() -> {
            r.setSubscriptions(conferenceId, endpointId, publishers);
            return null;
        });
    }

    /** {@code relay.offer}: the client's publisher offer; replies with the relay's answer. */
    public ObjectNode offer(Session s, Request req) {
        RelayEndpoint e = resolve(s, req);
        String sdp = req.text("sdp");
        if (!e.mayPublish()) {
            throw new ProtocolException(ErrorCode.FORBIDDEN, "listeners do not publish");
        }
        RelayControl r = require();
        String answer = call(() -> r.answerPublisherOffer(e.conferenceId(), e.endpointId(), sdp));
        ObjectNode out = Json.object();
        out.put(e.contextField(), e.contextId());
        out.put("sdp", answer);
        return out;
    }

    /** {@code relay.answer}: the client's answer on its subscriber connection. */
    public ObjectNode answer(Session s, Request req) {
        RelayEndpoint e = resolve(s, req);
        String sdp = req.text("sdp");
        RelayControl r = require();
        call(() -> {
            r.acceptSubscriberAnswer(e.conferenceId(), e.endpointId(), sdp);
            return null;
        });
        return null;
    }

    /** {@code relay.candidate}: a trickled candidate for one of the client's two connections. */
    public ObjectNode candidate(Session s, Request req) {
        RelayEndpoint e = resolve(s, req);
        PeerConnectionRole role = switch (req.text("connection")) {
            case "publisher" -> PeerConnectionRole.PUBLISHER;
            case "subscriber" -> PeerConnectionRole.SUBSCRIBER;
            default -> throw ProtocolException.invalid("connection", "must be \"publisher\" or \"subscriber\"");
        };
        if (!req.body().has("candidate") || !req.body().get("candidate").isTextual()) {
            throw req.body().has("candidate") ? ProtocolException.invalid("candidate", "must be a string")
                    : org.parley.signaling.wire.Request.missing("candidate");
        }
        String candidate = req.body().get("candidate").textValue();
        RelayControl r = require();
        call(() -> {
            r.addRemoteCandidate(e.conferenceId(), e.endpointId(), role, candidate);
            return null;
        });
        return null;
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
        T run();
    }

    private <T> T call(RelayCall<T> c) {
        long refusing = circuit.refusingForMillis();
        if (refusing > 0) {
            throw new ProtocolException(ErrorCode.RELAY_UNAVAILABLE,
                    "relay: unreachable, tried again in " + (refusing + 999) / 1000 + " s");
        }
        try {
            T result = c.run();
            circuit.answered();
            return result;
        } catch (RelayException e) {
            if (e.reason() == RelayException.Reason.UNAVAILABLE) {
                circuit.failed();
            } else {
                circuit.answered();
            }
            ErrorCode code = switch (e.reason()) {
                case BAD_SDP -> ErrorCode.BAD_SDP;
                case WRONG_STATE -> ErrorCode.WRONG_STATE;
                case CAPACITY, UNAVAILABLE -> ErrorCode.RELAY_UNAVAILABLE;
                default -> ErrorCode.RELAY_ERROR;
            };
            throw new ProtocolException(code, "relay: " + e.reason().name().toLowerCase(Locale.ROOT) + ": "
                    + e.getMessage());
        } catch (ProtocolException e) {
            throw e;
        } catch (RuntimeException e) {
            // a relay that is not started, unreachable (remote control) or broken: the client gets a
            // typed error it can act on, not "internal"
            circuit.failed();
            org.slf4j.LoggerFactory.getLogger(RelayLink.class).warn("relay call failed", e);
            throw new ProtocolException(ErrorCode.RELAY_UNAVAILABLE, "relay: " + e.getClass().getSimpleName());
        }
    }

    private void quietly(Runnable r) {
        if (circuit.refusingForMillis() > 0) {
            // the relay expires what it is not told about: endpoints time out when media stops
            return;
        }
        try {
            r.run();
        } catch (RuntimeException e) {
            if (!(e instanceof RelayException re) || re.reason() == RelayException.Reason.UNAVAILABLE) {
                circuit.failed();
            }
            org.slf4j.LoggerFactory.getLogger(RelayLink.class).debug("relay release failed: {}", e.toString());
        }
    }

    /** Relay events for one device, moved onto the loop and sent while the device still has the endpoint. */
    private final class Listener implements EndpointListener {

        private final RelayEndpoint endpoint;
        private final Session session;
        private final EndpointHooks hooks;

        Listener(RelayEndpoint endpoint, Session session, EndpointHooks hooks) {
            this.endpoint = endpoint;
            this.session = session;
            this.hooks = hooks;
        }

        private boolean current() {
            RelayEndpoint now = endpoint.contextField().equals("callId")
                    ? calls.apply(session, endpoint.contextId()) : rooms.apply(session, endpoint.contextId());
            return now != null && now.conferenceId().equals(endpoint.conferenceId());
        }

        @Override
        public void onSubscriberOffer(String sdpOffer) {
            loop.execute(() -> {
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
            loop.execute(() -> {
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
            loop.execute(() -> {
                if (current()) {
                    hooks.activeSpeaker(endpoint, session, speakerEndpointId);
                }
            });
        }

        @Override
        public void onTransportFailed(String reason) {
            loop.execute(() -> {
                if (current()) {
                    hooks.transportFailed(endpoint, session, reason);
                }
            });
        }
    }
}
