package org.parley.signaling.wire;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectReader;
import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * Reads one text frame into a {@link Request}, checking the envelope of §2: a JSON object with a
 * string {@code type} and, except for notifications, an {@code id} that is a short string or an
 * integer.
 */
public final class MessageParser {

    /** Longest accepted request id. */
    static final int MAX_ID_LENGTH = 64;

    /**
     * RFC 8259 section 2: a JSON text is one value, so text after it makes the frame malformed
     * (Jackson ignores it by default). Decimals are read exactly, not as doubles that overflow to
     * Infinity, so the request handled is the request the client wrote. Both found by fuzzing.
     */
    private static final ObjectReader READER = Json.MAPPER.reader()
            .with(DeserializationFeature.FAIL_ON_TRAILING_TOKENS, DeserializationFeature.USE_BIG_DECIMAL_FOR_FLOATS);

    private MessageParser() {
    }

    /**
     * Parses a frame; throws {@link Failure} with the error to send (and the id, when it could be
     * read).
     */
    public static Request parse(String text) {
        JsonNode root;
        try {
            root = READER.readTree(text);
        } catch (JsonProcessingException | RuntimeException e) {
            throw new Failure(null, new ProtocolException(ErrorCode.MALFORMED_JSON, "not valid JSON"));
        }
        if (root == null || !root.isObject()) {
            throw new Failure(null, new ProtocolException(ErrorCode.MALFORMED_MESSAGE, "a message is a JSON object"));
        }
        ObjectNode body = (ObjectNode) root;
        JsonNode id = body.get("id");
        if (id != null && !validId(id)) {
            throw new Failure(null, new ProtocolException(ErrorCode.MALFORMED_MESSAGE,
                    "'id' must be a string of 1-" + MAX_ID_LENGTH + " characters or an integer"));
        }
        JsonNode type = body.get("type");
        if (type == null || !type.isTextual()) {
            throw new Failure(id, new ProtocolException(ErrorCode.UNKNOWN_TYPE, "'type' must be a string"));
        }
        return new Request(type.textValue(), id, body);
    }

    private static boolean validId(JsonNode id) {
        if (id.isTextual()) {
            int len = id.textValue().length();
            return len >= 1 && len <= MAX_ID_LENGTH;
        }
        return id.isIntegralNumber() && id.canConvertToLong();
    }

    /** A frame that could not become a request. */
    public static final class Failure extends RuntimeException {

        private static final long serialVersionUID = 1L;

        private final transient JsonNode id;
        private final ProtocolException error;

        Failure(JsonNode id, ProtocolException error) {
            super(error.getMessage(), null, false, false);
            this.id = id;
            this.error = error;
        }

        /** The id of the offending message, or null. */
        public JsonNode id() {
            return id;
        }

        public ProtocolException error() {
            return error;
        }
    }
}
