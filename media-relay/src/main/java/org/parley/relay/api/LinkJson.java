package org.parley.relay.api;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.Map;
import org.parley.relay.cascade.LinkSocket;
import org.parley.relay.control.LinkSpec;

/** A relay-to-relay link's body on the control API: {"linkId","peerAddress","keys","initiator"}. */
final class LinkJson {

    private LinkJson() {
    }

    /** @throws IllegalArgumentException naming the field that is missing or wrong (a 400) */
    static LinkSpec read(JsonNode in) {
        JsonNode id = in.get("linkId");
        if (id == null || !id.canConvertToInt() || !id.isIntegralNumber()) {
            throw new IllegalArgumentException("field 'linkId' (a 32-bit integer) is required");
        }
        JsonNode address = in.get("peerAddress");
        if (address == null || !address.isTextual()) {
            throw new IllegalArgumentException("field 'peerAddress' (\"ip:port\") is required");
        }
        JsonNode keys = in.get("keys");
        byte[] material;
        try {
            material = keys == null || !keys.isTextual() ? null : Base64.getDecoder().decode(keys.asText());
        } catch (IllegalArgumentException e) {
            material = null;
        }
        if (material == null || material.length != LinkSocket.KEYING_MATERIAL_LENGTH) {
            throw new IllegalArgumentException("field 'keys' must be " + LinkSocket.KEYING_MATERIAL_LENGTH
                    + " bytes in base64");
        }
        JsonNode initiator = in.get("initiator");
        if (initiator == null || !initiator.isBoolean()) {
            throw new IllegalArgumentException("field 'initiator' (true at exactly one end) is required");
        }
        return new LinkSpec(id.asInt(), address.asText(), material, initiator.asBoolean());
    }

    static Map<String, Object> write(LinkSpec spec) {
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("linkId", spec.linkId());
        out.put("peerAddress", spec.peerAddress());
        out.put("keys", Base64.getEncoder().encodeToString(spec.keyingMaterial()));
        out.put("initiator", spec.initiator());
        return out;
    }
}
