package org.parley.signaling.call;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.time.Clock;
import java.time.Duration;
import org.parley.signaling.SignalingConfig.CallMedia;
import org.parley.signaling.SignalingMetrics;
import org.parley.signaling.e2ee.KeyMessages;
import org.parley.signaling.session.Session;
import org.parley.signaling.wire.ProtocolException;
import org.parley.signaling.wire.Request;

/**
 * What the two active devices of an accepted call say to each other (docs/protocol.md §5.2, 5.4):
 * SDP and trickle ICE in peer-to-peer mode, media state, connected, hangup. SDP is forwarded
 * unchanged; the server never parses it.
 */
public final class InCallSignals {

    private final Calls calls;
    private final CallTeardown teardown;
    private final SignalingMetrics metrics;
    private final Clock clock;

    public InCallSignals(Calls calls, CallTeardown teardown, SignalingMetrics metrics, Clock clock) {
        this.calls = calls;
        this.teardown = teardown;
        this.metrics = metrics;
        this.clock = clock;
    }

    /** The call, if {@code s} is one of its two active devices and it is accepted. */
    private Call established(Session s, Request r) {
        Call c = calls.known(s, r.text("callId"));
        if (!c.state().established() || !c.isActiveDevice(s)) {
            throw ProtocolException.wrongState("call " + c.id() + " is " + c.state().wireName()
                    + (c.isActiveDevice(s) ? "" : " and this device does not carry it"));
        }
        return c;
    }

    /** {@code call.hangup}. */
    public ObjectNode hangup(Session s, Request r) {
        String reason = r.optReason("reason").orElse(EndReason.HANGUP);
        Call c = established(s, r);
        teardown.end(c, reason, s);
        return null;
    }

    /** {@code call.connected}: media flows; CONNECTING becomes ACTIVE. */
    public ObjectNode connected(Session s, Request r) {
        Call c = established(s, r);
        if (c.state() != CallState.CONNECTING) {
            throw ProtocolException.wrongState("call " + c.id() + " is already active");
        }
        c.connected();
        calls.changed(c);
        metrics.acceptToConnected(Duration.between(c.acceptedAt(), clock.instant()));
        c.otherActive(s).emit(CallMessages.event("call.connected", c));
        return null;
    }

    /** {@code call.offer} and {@code call.answer}: forwarded to the other active device. */
    public ObjectNode sdp(Session s, Request r) {
        String sdp = r.text("sdp");
        Call c = p2p(s, r);
        ObjectNode e = CallMessages.event(r.type(), c);
        e.put("sdp", sdp);
        c.otherActive(s).emit(e);
        return null;
    }

    /** {@code call.candidate}: forwarded; an empty candidate is end-of-candidates. */
    public ObjectNode candidate(Session s, Request r) {
        JsonNode cand = r.node("candidate");
        if (cand == null || cand.isNull()) {
            throw Request.missing("candidate");
        }
        if (!cand.isTextual()) {
            throw ProtocolException.invalid("candidate", "must be a string");
        }
        String mid = r.optText("sdpMid").orElse(null);
        Long index = r.optLong("sdpMLineIndex", 0, 1023).orElse(null);
        Call c = p2p(s, r);
        ObjectNode e = CallMessages.event("call.candidate", c);
        e.put("candidate", cand.textValue());
        if (mid != null) {
            e.put("sdpMid", mid);
        }
        if (index != null) {
            e.put("sdpMLineIndex", index.intValue());
        }
        c.otherActive(s).emit(e);
        return null;
    }

    private Call p2p(Session s, Request r) {
        Call c = established(s, r);
        if (c.transport() != CallMedia.P2P) {
            throw ProtocolException.wrongState("call " + c.id() + " goes through the relay: use relay.* messages");
        }
        return c;
    }

    /**
     * {@code e2ee.key} in a call: to the other active device, when both active devices gave identity
     * keys (§12). The call must be answered: before that there is no other device to address.
     */
    public void deliverKey(Session s, Request r, String payload) {
        Call c = established(s, r);
        Session other = c.otherActive(s);
        if (c.identityKeyOf(s) == null) {
            throw ProtocolException.wrongState("this device gave no identity key for call " + c.id());
        }
        if (c.identityKeyOf(other) == null) {
            throw ProtocolException.wrongState("the other device gave no identity key for call " + c.id());
        }
        other.emit(KeyMessages.event("callId", c.id(), CallMessages.peer(s), payload));
    }

    /** {@code call.media}: mute, camera, screen share; the other side is told. */
    public ObjectNode media(Session s, Request r) {
        r.optBool("audio");
        r.optBool("video");
        r.optBool("screen");
        Call c = established(s, r);
        MediaState m = c.mediaOf(s.user());
        m.apply(r);
        calls.changed(c);
        ObjectNode e = CallMessages.event("call.media", c);
        e.put("user", s.user());
        m.write(e);
        c.otherActive(s).emit(e);
        return null;
    }
}
