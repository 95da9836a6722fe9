package org.parley.signaling.wire;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

/** The one JSON mapper of signaling and builders for the server's messages (§2). */
public final class Json {

    public static final ObjectMapper MAPPER = new ObjectMapper();

    private Json() {
    }

    public static ObjectNode object() {
        return MAPPER.createObjectNode();
    }

    /** A successful reply to the request with {@code id}. */
    public static ObjectNode result(JsonNode id) {
        ObjectNode n = object();
        n.put("type", "result");
        n.set("id", id);
        return n;
    }

    /** An error reply; {@code id} may be null when the request's id could not be read. */
    public static ObjectNode error(JsonNode id, ErrorCode code, String message) {
        ObjectNode n = object();
        n.put("type", "error");
        if (id != null) {
            n.set("id", id);
        }
        n.put("code", code.wireName());
        n.put("message", message);
        return n;
    }

    /** An event of {@code type}; the session adds its {@code seq} when sending. */
    public static ObjectNode event(String type) {
        ObjectNode n = object();
        n.put("type", type);
        return n;
    }
}
