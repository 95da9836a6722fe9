package org.parley.signaling.e2ee;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.parley.signaling.session.Session;
import org.parley.signaling.wire.ErrorCode;
import org.parley.signaling.wire.Json;
import org.parley.signaling.wire.ProtocolException;
import org.parley.signaling.wire.Request;

/**
 * {@code e2ee.key} (docs/protocol.md §12): a media key one device wrapped for another, ferried to
 * exactly that device. The payload is opaque here; signaling never parses or keeps it (it is in the
 * addressed session's event log until acknowledged, like any event), it only bounds its size.
 */
public final class KeyMessages {

    /** Largest payload: a wrapped key is about 140 characters; the bound leaves room and stops abuse. */
    public static final int MAX_PAYLOAD_CHARS = 4096;

    private final KeyCourier rooms;
    private final KeyCourier calls;

    public KeyMessages(KeyCourier rooms, KeyCourier calls) {
        this.rooms = rooms;
        this.calls = calls;
    }

    /** Checks the request's shape, then hands it to the room or the call it names. */
    public ObjectNode handle(Session s, Request r) {
        String payload = r.text("payload");
        if (payload.isEmpty() || payload.length() > MAX_PAYLOAD_CHARS) {
            throw ProtocolException.invalid("payload", "must be 1-" + MAX_PAYLOAD_CHARS + " characters");
        }
        boolean room = r.optText("roomId").isPresent();
        boolean call = r.optText("callId").isPresent();
        if (room == call) {
            if (room) {
                throw ProtocolException.invalid("callId", "cannot be given with roomId: name one context");
            }
            throw new ProtocolException(ErrorCode.MISSING_FIELD, "'roomId' or 'callId' is required");
        }
        (room ? rooms : calls).deliver(s, r, payload);
        return null;
    }

    /** The event the addressed device gets: its context, the sender and the payload as sent. */
    public static ObjectNode event(String contextField, String contextId, JsonNode from, String payload) {
        ObjectNode e = Json.event("e2ee.key");
        e.put(contextField, contextId);
        e.set("from", from);
        e.put("payload", payload);
        return e;
    }
}
