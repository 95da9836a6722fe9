package org.parley.relay.api;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.parley.relay.control.ReceiverConstraints;
import org.parley.relay.control.ReceiverConstraints.SourceLimit;
import org.parley.relay.control.SourceKind;

/**
 * {@link ReceiverConstraints} as the relay HTTP API carries them:
 * {@code {"lastN": 3 | null, "pinned": [..], "onStage": [..], "sources": [{"endpoint", "kind",
 * "maxHeight", "maxFrameRate", "off"}]}}, kind in upper case as elsewhere in this API.
 */
final class ConstraintsJson {

    private ConstraintsJson() {
    }

    static Map<String, Object> write(ReceiverConstraints c) {
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("lastN", c.lastN());
        out.put("pinned", c.pinned());
        out.put("onStage", c.onStage());
        List<Map<String, Object>> sources = new ArrayList<>();
        for (SourceLimit s : c.sources()) {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("endpoint", s.endpointId());
            m.put("kind", s.kind().name());
            m.put("maxHeight", s.maxHeight());
            m.put("maxFrameRate", s.maxFrameRate());
            m.put("off", s.off());
            sources.add(m);
        }
        out.put("sources", sources);
        return out;
    }

    /** Reads a body; throws IllegalArgumentException naming what is wrong. */
    static ReceiverConstraints read(JsonNode in) {
        JsonNode n = in.get("lastN");
        Integer lastN = null;
        if (n != null && !n.isNull()) {
            if (!n.isInt()) {
                throw new IllegalArgumentException("lastN must be an integer or null");
            }
            lastN = n.intValue();
        }
        List<SourceLimit> sources = new ArrayList<>();
        for (JsonNode s : array(in, "sources")) {
            if (!s.isObject()) {
                throw new IllegalArgumentException("sources must be objects");
            }
            SourceKind kind;
            try {
                kind = SourceKind.valueOf(s.path("kind").asText("").toUpperCase(Locale.ROOT));
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("a source's kind must be VIDEO or SCREEN");
            }
            sources.add(new SourceLimit(s.path("endpoint").asText(""), kind, integer(s, "maxHeight"),
                    integer(s, "maxFrameRate"), s.path("off").asBoolean(false)));
        }
        return new ReceiverConstraints(lastN, strings(in, "pinned"), strings(in, "onStage"), sources);
    }

    private static int integer(JsonNode s, String field) {
        JsonNode n = s.get(field);
        if (n == null || n.isNull()) {
            return 0;
        }
        if (!n.isInt()) {
            throw new IllegalArgumentException(field + " must be an integer");
        }
        return n.intValue();
    }

    private static List<String> strings(JsonNode in, String field) {
        List<String> out = new ArrayList<>();
        for (JsonNode n : array(in, field)) {
            if (!n.isTextual()) {
                throw new IllegalArgumentException(field + " must be an array of endpoint ids");
            }
            out.add(n.textValue());
        }
        return out;
    }

    private static JsonNode array(JsonNode in, String field) {
        JsonNode n = in.get(field);
        if (n == null || n.isNull()) {
            return com.fasterxml.jackson.databind.node.JsonNodeFactory.instance.arrayNode();
        }
        if (!n.isArray()) {
            throw new IllegalArgumentException(field + " must be an array");
        }
        return n;
    }
}
