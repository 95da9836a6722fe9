package org.parley.signaling.call;

import com.fasterxml.jackson.databind.node.ObjectNode;
import org.parley.signaling.session.Session;
import org.parley.signaling.wire.Json;

/** Builders for the call events of docs/protocol.md §5.3. */
final class CallMessages {

    private CallMessages() {
    }

    static ObjectNode peer(Session s) {
        ObjectNode p = Json.object();
        p.put("user", s.user());
        p.put("name", s.displayName());
        p.put("device", s.device());
        return p;
    }

    static ObjectNode event(String type, Call c) {
        ObjectNode e = Json.event(type);
        e.put("callId", c.id());
        return e;
    }

    static ObjectNode incoming(Call c) {
        ObjectNode e = event("call.incoming", c);
        e.set("from", peer(c.callerDevice()));
        e.put("media", c.media());
        e.put("transport", c.transport().wireName());
        e.put("waiting", c.waiting());
        return e;
    }

    static ObjectNode ended(Call c, String reason) {
        ObjectNode e = event("call.ended", c);
        e.put("reason", reason);
        return e;
    }

    /** What a device that takes a call over must know (push event and pull reply alike). */
    static ObjectNode takeover(Call c, Session newDevice) {
        ObjectNode e = Json.object();
        e.put("callId", c.id());
        Session other = c.otherActive(newDevice);
        e.set("peer", peer(other));
        e.put("media", c.media());
        e.put("transport", c.transport().wireName());
        e.put("state", c.state().wireName());
        c.mediaOf(other.user()).write(e);
        return e;
    }
}
