package org.parley.turn;

import java.net.InetAddress;
import java.time.Clock;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import org.parley.turn.stun.ErrorCode;
import org.parley.turn.stun.MessageIntegrity;
import org.parley.turn.stun.StunAttribute;
import org.parley.turn.stun.StunMessage;

/**
 * Long-term credential checks on a request (RFC 8489 §9.2.4), for static users and REST API
 * credentials. Returns either the key to sign the answer with or the error code to answer with.
 */
final class Authenticator {
    /** RFC 8489 §14.3: USERNAME is at most 513 bytes. */
    private static final int MAX_USERNAME = 513;

    /** Outcome: {@code error == 0} means authenticated with {@code key}. */
    record Result(int error, String reason, String username, byte[] key) {
        boolean ok() {
            return error == 0;
        }
    }

    private final String realm;
    private final Map<String, String> users;
    private final List<byte[]> secrets;
    private final boolean useAuthSecret;
    private final NonceService nonces;
    private final Clock clock;

    Authenticator(TurnConfig config, NonceService nonces, Clock clock) {
        this.realm = config.realm();
        this.users = config.users();
        this.secrets = config.staticAuthSecrets();
        this.useAuthSecret = config.useAuthSecret();
        this.nonces = nonces;
        this.clock = clock;
    }

    String realm() {
        return realm;
    }

    Result authenticate(StunMessage request, InetAddress source) {
        // §9.2.4 step 1: no integrity at all -> 401 with REALM and NONCE (the challenge).
        if (request.integrityOffset() < 0 && request.integritySha256Offset() < 0) {
            return fail(ErrorCode.UNAUTHENTICATED, "challenge");
        }
        // §9.2.4 step 2: integrity without USERNAME, REALM or NONCE -> 400.
        String username = request.string(StunAttribute.USERNAME);
        String clientRealm = request.string(StunAttribute.REALM);
        String nonce = request.string(StunAttribute.NONCE);
        if (username == null || clientRealm == null || nonce == null || username.length() > MAX_USERNAME) {
            return fail(ErrorCode.BAD_REQUEST, "missing_attribute");
        }
        // §9.2.4 step 3: a nonce that is no longer valid -> 438 with a fresh one.
        if (!nonces.isValid(nonce, source)) {
            return fail(ErrorCode.STALE_NONCE, "stale_nonce");
        }
        if (!realm.equals(clientRealm)) {
            return fail(ErrorCode.UNAUTHENTICATED, "wrong_realm");
        }
        // §9.2.4 step 4/5: find the password, then check MESSAGE-INTEGRITY with the derived key.
        String password = users.get(username);
        if (password != null) {
            byte[] key = LongTermKey.of(username, realm, password);
            return MessageIntegrity.verify(request, key) ? new Result(0, null, username, key)
                    : fail(ErrorCode.UNAUTHENTICATED, "bad_integrity");
        }
        if (!useAuthSecret || secrets.isEmpty()) {
            return fail(ErrorCode.UNAUTHENTICATED, "unknown_user");
        }
        OptionalLong expiry = RestCredentials.expiry(username);
        if (expiry.isEmpty()) {
            return fail(ErrorCode.UNAUTHENTICATED, "unknown_user");
        }
        if (expiry.getAsLong() * 1000 < clock.millis()) {
            return fail(ErrorCode.UNAUTHENTICATED, "expired");
        }
        for (byte[] secret : secrets) {
            byte[] key = LongTermKey.of(username, realm, RestCredentials.password(secret, username));
            if (MessageIntegrity.verify(request, key)) {
                return new Result(0, null, username, key);
            }
        }
        return fail(ErrorCode.UNAUTHENTICATED, "bad_integrity");
    }

    private static Result fail(int code, String reason) {
        return new Result(code, reason, null, null);
    }
}
