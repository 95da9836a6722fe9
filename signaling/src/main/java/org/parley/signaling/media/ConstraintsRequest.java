package org.parley.signaling.media;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.parley.relay.control.ReceiverConstraints;
import org.parley.relay.control.ReceiverConstraints.SourceLimit;
import org.parley.relay.control.SourceKind;
import org.parley.signaling.wire.ErrorCode;
import org.parley.signaling.wire.ProtocolException;
import org.parley.signaling.wire.Request;

/**
 * Reads a {@code media.constraints} request (docs/protocol.md §6.4) into the relay's
 * {@link ReceiverConstraints}. Every field is checked before anything is sent to the relay, so a
 * bad request changes nothing: a wrong value is {@code invalid_field} naming it, a participant the
 * context does not have is {@code unknown_participant}.
 */
final class ConstraintsRequest {

    private ConstraintsRequest() {
    }

    /** @param others the participants whose media this device may receive in the context */
    static ReceiverConstraints read(Request r, Set<String> others) {
        // -1 unlimited; absent or null: the relay's parley.relay.last-n
        Integer lastN = r.optLong("lastN", -1, ReceiverConstraints.MAX_LAST_N).map(Long::intValue).orElse(null);
        List<String> pinned = participants(r, "pinned", others);
        List<String> onStage = participants(r, "onStage", others);
        List<SourceLimit> sources = new ArrayList<>();
        Set<String> seen = new HashSet<>();
        JsonNode list = r.node("sources");
        if (list != null && !list.isNull()) {
            if (!list.isArray()) {
                throw ProtocolException.invalid("sources", "must be an array");
            }
            for (int i = 0; i < list.size(); i++) {
                SourceLimit limit = source(list.get(i), "sources[" + i + "]", others);
                if (!seen.add(limit.endpointId() + "\n" + limit.kind())) {
                    throw ProtocolException.invalid("sources[" + i + "]", "repeats the " + kindName(limit.kind())
                            + " of " + limit.endpointId());
                }
                sources.add(limit);
            }
        }
        return new ReceiverConstraints(lastN, pinned, onStage, sources);
    }

    private static SourceLimit source(JsonNode s, String at, Set<String> others) {
        if (s == null || !s.isObject()) {
            throw ProtocolException.invalid(at, "must be an object");
        }
        JsonNode id = s.get("participantId");
        if (id == null || !id.isTextual()) {
            throw id == null ? Request.missing(at + ".participantId") : ProtocolException.invalid(at + ".participantId",
                    "must be a string");
        }
        known(id.textValue(), others);
        JsonNode k = s.get("kind");
        SourceKind kind;
        if (k == null) {
            throw Request.missing(at + ".kind");
        } else if ("video".equals(k.asText(null)) && k.isTextual()) {
            kind = SourceKind.VIDEO;
        } else if ("screen".equals(k.asText(null)) && k.isTextual()) {
            kind = SourceKind.SCREEN;
        } else {
            throw ProtocolException.invalid(at + ".kind", "must be \"video\" or \"screen\" (audio is never limited)");
        }
        int maxHeight = positive(s, at + ".maxHeight", "maxHeight", SourceLimit.MAX_HEIGHT);
        int maxFrameRate = positive(s, at + ".maxFrameRate", "maxFrameRate", SourceLimit.MAX_FRAME_RATE);
        JsonNode off = s.get("off");
        if (off != null && !off.isBoolean()) {
            throw ProtocolException.invalid(at + ".off", "must be a boolean");
        }
        return new SourceLimit(id.textValue(), kind, maxHeight, maxFrameRate, off != null && off.booleanValue());
    }

    /** An optional whole number 1..max; absent is 0 (no limit). */
    private static int positive(JsonNode s, String at, String field, int max) {
        JsonNode n = s.get(field);
        if (n == null || n.isNull()) {
            return 0;
        }
        if (!n.isIntegralNumber() || !n.canConvertToInt() || n.intValue() < 1 || n.intValue() > max) {
            throw ProtocolException.invalid(at, "must be a whole number 1.." + max);
        }
        return n.intValue();
    }

    private static List<String> participants(Request r, String field, Set<String> others) {
        JsonNode n = r.node(field);
        List<String> out = new ArrayList<>();
        if (n == null || n.isNull()) {
            return out;
        }
        if (!n.isArray()) {
            throw ProtocolException.invalid(field, "must be an array of participant ids");
        }
        for (JsonNode id : n) {
            if (!id.isTextual()) {
                throw ProtocolException.invalid(field, "must be an array of participant ids");
            }
            known(id.textValue(), others);
            if (!out.contains(id.textValue())) {
                out.add(id.textValue());
            }
        }
        return out;
    }

    private static void known(String id, Set<String> others) {
        if (!others.contains(id)) {
            throw new ProtocolException(ErrorCode.UNKNOWN_PARTICIPANT, "no other participant " + id + " here");
        }
    }

    private static String kindName(SourceKind kind) {
        return kind == SourceKind.VIDEO ? "video" : "screen";
    }
}
