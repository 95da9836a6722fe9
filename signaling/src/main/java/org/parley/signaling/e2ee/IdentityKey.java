package org.parley.signaling.e2ee;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.Base64;
import java.util.Optional;
import java.util.regex.Pattern;
import org.parley.signaling.wire.ErrorCode;
import org.parley.signaling.wire.ProtocolException;
import org.parley.signaling.wire.Request;

/**
 * A device's end-to-end encryption identity: the public half of its ECDH P-256 key pair, as the
 * uncompressed point 0x04||X||Y (SEC 1 §2.3.3, 65 bytes) in base64url without padding (RFC 4648
 * §5). Signaling only checks the shape and hands it to the other participants, who wrap their
 * media keys to it (docs/protocol.md §12); the server never holds a private key.
 */
public record IdentityKey(String wire) {

    /** 65 bytes in unpadded base64url are 87 characters. */
    private static final Pattern SHAPE = Pattern.compile("[A-Za-z0-9_-]{87}");
    private static final int POINT_BYTES = 65;
    private static final byte UNCOMPRESSED = 0x04;

    /**
     * The optional {@code e2ee} object of a request, {@code {"identityKey": "..."}}; empty when the
     * request has none. A malformed one is {@code invalid_field} (or {@code missing_field} for an
     * object without the key), so a client never has its key silently ignored.
     */
    public static Optional<IdentityKey> from(Request r) {
        JsonNode e2ee = r.node("e2ee");
        if (e2ee == null || e2ee.isNull()) {
            return Optional.empty();
        }
        if (!e2ee.isObject()) {
            throw ProtocolException.invalid("e2ee", "must be an object {\"identityKey\": \"<base64url>\"}");
        }
        JsonNode key = e2ee.get("identityKey");
        if (key == null || key.isNull()) {
            throw Request.missing("e2ee.identityKey");
        }
        if (!key.isTextual() || !SHAPE.matcher(key.textValue()).matches()) {
            throw invalid();
        }
        byte[] point = Base64.getUrlDecoder().decode(key.textValue());
        if (point.length != POINT_BYTES || point[0] != UNCOMPRESSED) {
            throw invalid();
        }
        return Optional.of(new IdentityKey(key.textValue()));
    }

    private static ProtocolException invalid() {
        return ProtocolException.invalid("e2ee.identityKey",
                "must be base64url (no padding) of an uncompressed P-256 point: 65 bytes starting 0x04");
    }

    /** The refusal of a request that needs an identity key and came without one. */
    public static ProtocolException required(String why) {
        return new ProtocolException(ErrorCode.E2EE_REQUIRED, why);
    }
}
