package org.parley.signaling.session;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.regex.Pattern;
import org.parley.signaling.wire.Json;
import org.parley.signaling.wire.ProtocolException;
import org.parley.signaling.wire.Request;

/**
 * The calls and rooms a resuming client believes it is in ({@code hello.calls}, {@code hello.rooms},
 * docs/protocol.md §4). The server keeps no state across a crash, so only the client can say what
 * it had; when the resume is refused the {@code welcome} hands them back as ended, and the client
 * learns it there rather than by {@code unknown_call} on its next request.
 */
record ResumeClaims(List<String> calls, List<String> rooms) {

    /** A device is in a handful of calls and rooms at most; the cap keeps the echo in welcome small. */
    static final int MAX = 32;
    /** Ids as the server makes them (call ids {@code c-…}, room ids as in §6.2). */
    private static final Pattern ID = Pattern.compile("[A-Za-z0-9._-]{1,64}");
    private static final String ID_RULE = "an array of at most " + MAX + " ids of 1-64 characters [A-Za-z0-9._-]";

    static final ResumeClaims NONE = new ResumeClaims(List.of(), List.of());

    /** Reads {@code calls} and {@code rooms} of a {@code hello}; {@code invalid_field} when malformed. */
    static ResumeClaims of(Request r) {
        return new ResumeClaims(ids(r, "calls"), ids(r, "rooms"));
    }

    private static List<String> ids(Request r, String field) {
        JsonNode n = r.node(field);
        if (n == null || n.isNull()) {
            return List.of();
        }
        if (!n.isArray() || n.size() > MAX) {
            throw ProtocolException.invalid(field, "must be " + ID_RULE);
        }
        Set<String> ids = new LinkedHashSet<>();
        for (JsonNode id : n) {
            if (!id.isTextual() || !ID.matcher(id.textValue()).matches()) {
                throw ProtocolException.invalid(field, "must be " + ID_RULE);
            }
            ids.add(id.textValue());
        }
        return List.copyOf(ids);
    }

    /** {@code [{callId, reason}, …, {roomId, reason}, …]}: every claim, ended for {@code reason}. */
    ArrayNode ended(String reason) {
        ArrayNode out = Json.MAPPER.createArrayNode();
        for (String id : calls) {
            ObjectNode e = out.addObject();
            e.put("callId", id);
            e.put("reason", reason);
        }
        for (String id : rooms) {
            ObjectNode e = out.addObject();
            e.put("roomId", id);
            e.put("reason", reason);
        }
        return out;
    }
}
