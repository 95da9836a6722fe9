package org.parley.signaling.wire;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * One client message after envelope checks: its type, its id (absent for {@code ack}) and typed
 * accessors for its fields that throw {@link ProtocolException} naming the field.
 */
public final class Request {

    private static final Pattern REASON = Pattern.compile("[a-z_]{1,32}");

    private final String type;
    private final JsonNode id;
    private final ObjectNode body;

    public Request(String type, JsonNode id, ObjectNode body) {
        this.type = type;
        this.id = id;
        this.body = body;
    }

    public String type() {
        return type;
    }

    /** The request id, or null for notifications. */
    public JsonNode id() {
        return id;
    }

    public ObjectNode body() {
        return body;
    }

    /** A required non-empty string field. */
    public String text(String field) {
        return optText(field).orElseThrow(() -> missing(field));
    }

    /** An optional string field; present but not a string is an error. */
    public Optional<String> optText(String field) {
        JsonNode n = body.get(field);
        if (n == null || n.isNull()) {
            return Optional.empty();
        }
        if (!n.isTextual()) {
            throw ProtocolException.invalid(field, "must be a string");
        }
        return Optional.of(n.textValue());
    }

    /** A required string matching {@code pattern}. */
    public String text(String field, Pattern pattern, String description) {
        String v = text(field);
        if (!pattern.matcher(v).matches()) {
            throw ProtocolException.invalid(field, "must be " + description);
        }
        return v;
    }

    /** An optional string matching {@code pattern}. */
    public Optional<String> optText(String field, Pattern pattern, String description) {
        Optional<String> v = optText(field);
        if (v.isPresent() && !pattern.matcher(v.get()).matches()) {
            throw ProtocolException.invalid(field, "must be " + description);
        }
        return v;
    }

    /** An optional snake_case reason such as a hangup reason. */
    public Optional<String> optReason(String field) {
        return optText(field, REASON, "snake_case, 1-32 characters [a-z_]");
    }

    public Optional<Boolean> optBool(String field) {
        JsonNode n = body.get(field);
        if (n == null || n.isNull()) {
            return Optional.empty();
        }
        if (!n.isBoolean()) {
            throw ProtocolException.invalid(field, "must be true or false");
        }
        return Optional.of(n.booleanValue());
    }

    public boolean bool(String field) {
        return optBool(field).orElseThrow(() -> missing(field));
    }

    /** An optional integer within [min, max]. */
    public Optional<Long> optLong(String field, long min, long max) {
        JsonNode n = body.get(field);
        if (n == null || n.isNull()) {
            return Optional.empty();
        }
        if (!n.isIntegralNumber() || !n.canConvertToLong()) {
            throw ProtocolException.invalid(field, "must be an integer");
        }
        long v = n.longValue();
        if (v < min || v > max) {
            throw ProtocolException.invalid(field, "must be between " + min + " and " + max);
        }
        return Optional.of(v);
    }

    public long longValue(String field, long min, long max) {
        return optLong(field, min, max).orElseThrow(() -> missing(field));
    }

    /** A raw field, null when absent. */
    public JsonNode node(String field) {
        return body.get(field);
    }

    public static ProtocolException missing(String field) {
        return new ProtocolException(ErrorCode.MISSING_FIELD, "'" + field + "' is required");
    }
}
