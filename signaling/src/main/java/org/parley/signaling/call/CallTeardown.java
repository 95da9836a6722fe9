package org.parley.signaling.call;

import com.fasterxml.jackson.databind.node.ObjectNode;
import org.parley.signaling.SignalingConfig.CallMedia;
import org.parley.signaling.SignalingMetrics;
import org.parley.signaling.media.RelayLink;
import org.parley.signaling.session.Session;

/** Ends calls: tells every device that knew the call, frees relay media, counts the outcome. */
public final class CallTeardown {

    private final Calls calls;
    private final RelayLink relay;
    private final SignalingMetrics metrics;

    public CallTeardown(Calls calls, RelayLink relay, SignalingMetrics metrics) {
        this.calls = calls;
        this.relay = relay;
        this.metrics = metrics;
    }

    /** Ends {@code c} with {@code reason}; {@code except} (the device that caused it) is not told. */
    public void end(Call c, String reason, Session except) {
        end(c, reason, except, null);
    }

    /** As {@link #end(Call, String, Session)}, adding {@code extra} fields to each {@code call.ended}. */
    public void end(Call c, String reason, Session except, ObjectNode extra) {
        if (!c.state().live()) {
            return;
        }
        boolean hadMedia = c.state().established();
        for (Session s : c.end()) {
            if (s != except) {
                ObjectNode e = CallMessages.ended(c, reason);
                if (extra != null) {
                    e.setAll(extra);
                }
                s.emit(e);
            }
        }
        calls.remove(c);
        metrics.callEnded(EndReason.KNOWN.contains(reason) ? reason : "other");
        if (hadMedia && c.transport() == CallMedia.RELAY) {
            relay.expire(c.conferenceId());
        }
    }
}
