package org.parley.signaling.call;

import com.fasterxml.jackson.databind.node.ObjectNode;
import org.parley.signaling.e2ee.IdentityKey;
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
        e2ee(e, c, c.callerDevice());
        return e;
    }

    /**
     * Whether the call is end-to-end encrypted, and the identity key of {@code device} (one of the
     * two active devices) when it gave one (docs/protocol.md §12).
     */
    static void e2ee(ObjectNode e, Call c, Session device) {
        e.put("e2ee", c.e2ee());
        IdentityKey key = c.identityKeyOf(device);
        if (key != null) {
            e.put("identityKey", key.wire());
        }
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
        e2ee(e, c, other);
        return e;
    }
}
