package org.parley.turn;

import java.net.InetAddress;
import java.time.Clock;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import org.parley.turn.stun.ErrorCode;
import org.parley.turn.stun.MessageIntegrity;
import org.parley.turn.stun.StunAttribute;
import org.parley.turn.stun.StunMessage;
import org.parley.turn.stun.StunMessageWriter;
import org.parley.turn.stun.StunParseException;

/**
 * Long-term credential checks on a request (RFC 8489 §9.2.4), for static users and REST API
 * credentials, with the RFC 8489 additions: the nonce cookie announcing the security features,
 * PASSWORD-ALGORITHM(S) choosing an MD5 or SHA-256 key, and USERHASH in place of USERNAME. Returns
 * either the key to sign the answer with or the error code to answer with.
 *
 * <p>A client that sends none of the RFC 8489 attributes (an RFC 5389 client: browsers, coturn's
 * tools, ice4j) is treated exactly as before: USERNAME, MD5 key.
 */
final class Authenticator {
    /** RFC 8489 §14.3: a receiver must parse a USERNAME of up to 763 bytes; longer is malformed. */
    private static final int MAX_USERNAME_BYTES = 763;
    /** RFC 8489 §14.4: USERHASH is a SHA-256 digest. */
    private static final int USERHASH_LENGTH = 32;
    private static final HexFormat HEX = HexFormat.of();

    /**
     * Outcome: {@code error == 0} means authenticated as {@code username} (the credential, which
     * owns allocations, RFC 8656 §6.3) of {@code user} (whom quotas count), with {@code key};
     * otherwise {@code reason} is the metric tag and {@code phrase} the ERROR-CODE reason phrase,
     * null for the standard one.
     */
    record Result(int error, String reason, String phrase, String username, String user, byte[] key) {
        boolean ok() {
            return error == 0;
        }

        static Result ok(String username, String user, byte[] key) {
            return new Result(0, null, null, username, user, key);
        }
    }

    private final String realm;
    /** Static users, OpaqueString-prepared name to prepared password (TurnConfig prepares them). */
    private final Map<String, String> users;
    /** USERHASH (hex) of every static user to its name. */
    private final Map<String, String> usersByHash = new HashMap<>();
    private final List<byte[]> secrets;
    private final boolean useAuthSecret;
    private final NonceService nonces;
    private final Clock clock;
    /** Longest a REST credential may still be valid, in milliseconds. */
    private final long maxCredentialLifetimeMillis;
    private final String noncePrefix;

    Authenticator(TurnConfig config, NonceService nonces, Clock clock) {
        this.realm = config.realm();
        this.users = config.users();
        this.secrets = config.staticAuthSecrets();
        this.useAuthSecret = config.useAuthSecret();
        this.nonces = nonces;
        this.clock = clock;
        this.maxCredentialLifetimeMillis = config.credentialLifetimeLimit().toMillis();
        this.noncePrefix = SecurityFeatures.of(config).noncePrefix();
        for (String user : users.keySet()) {
            usersByHash.put(HEX.formatHex(LongTermKey.userhash(user, realm)), user);
        }
    }

    String realm() {
        return realm;
    }

    /**
     * The attributes of a 401 or 438 (RFC 8489 §9.2.4): REALM, a fresh NONCE beginning with the
     * nonce cookie, and PASSWORD-ALGORITHMS, which an RFC 5389 client ignores (comprehension-optional).
     */
    void writeChallenge(StunMessageWriter w, InetAddress client) {
        w.string(StunAttribute.REALM, realm)
                .string(StunAttribute.NONCE, nonces.issue(client, noncePrefix))
                .bytes(StunAttribute.PASSWORD_ALGORITHMS, PasswordAlgorithm.OFFERED_VALUE);
    }

    Result authenticate(StunMessage request, InetAddress source) {
        // §9.2.4 step 1: no integrity at all -> 401 with REALM and NONCE (the challenge).
        if (request.integrityOffset() < 0 && request.integritySha256Offset() < 0) {
            return fail(ErrorCode.UNAUTHENTICATED, "challenge");
        }
        // §9.2.4 step 2: integrity without USERNAME or USERHASH, REALM or NONCE -> 400.
        boolean byName = request.has(StunAttribute.USERNAME);
        boolean byHash = request.has(StunAttribute.USERHASH);
        String clientRealm = request.string(StunAttribute.REALM);
        String nonce = request.string(StunAttribute.NONCE);
        if ((!byName && !byHash) || clientRealm == null || nonce == null) {
            return fail(ErrorCode.BAD_REQUEST, "missing_attribute");
        }
        // A client sends one or the other (§9.2.5); both would leave open whose key signs the request.
        if (byName && byHash) {
            return fail(ErrorCode.BAD_REQUEST, "bad_attribute");
        }
        // §9.2.4 step 3: with the password algorithms bit in the nonce cookie, no PASSWORD-ALGORITHM(S)
        // means MD5; otherwise both must be present, PASSWORD-ALGORITHMS exactly what this server
        // sent (a changed list is a bid-down attack, §9.2.1) and PASSWORD-ALGORITHM one of its
        // entries -> else 400.
        PasswordAlgorithm algorithm = PasswordAlgorithm.MD5;
        if (SecurityFeatures.announcesPasswordAlgorithms(nonce)) {
            byte[] chosen = request.value(StunAttribute.PASSWORD_ALGORITHM);
            byte[] offered = request.value(StunAttribute.PASSWORD_ALGORITHMS);
            if (chosen != null || offered != null) {
                algorithm = chosen != null && Arrays.equals(offered, PasswordAlgorithm.OFFERED_VALUE)
                        ? PasswordAlgorithm.ofValue(chosen) : null;
                if (algorithm == null) {
                    return fail(ErrorCode.BAD_REQUEST, "bad_algorithm");
                }
            }
        }
        // A nonce that is no longer valid -> 438 with a fresh one.
        if (!nonces.isValid(nonce, source, noncePrefix)) {
            return fail(ErrorCode.STALE_NONCE, "stale_nonce");
        }
        // REALM is OpaqueString-prepared by the client (§14.9); compare prepared forms.
        if (!realm.equals(preparedOrNull(clientRealm))) {
            return fail(ErrorCode.UNAUTHENTICATED, "wrong_realm");
        }
        // §9.2.4 step 4/5: find the password (401 when the username or userhash is not valid),
        // then check the integrity with the key of the chosen algorithm (401 when it does not match).
        return byHash ? byUserhash(request, algorithm) : byUsername(request, algorithm);
    }

    /** USERHASH (§14.4): only static users can be found by it; see docs/turn.md for REST users. */
    private Result byUserhash(StunMessage request, PasswordAlgorithm algorithm) {
        byte[] hash = request.value(StunAttribute.USERHASH);
        if (hash.length != USERHASH_LENGTH) {
            return fail(ErrorCode.BAD_REQUEST, "bad_attribute");
        }
        String user = usersByHash.get(HEX.formatHex(hash));
        if (user == null) {
            return fail(ErrorCode.UNAUTHENTICATED, "unknown_user");
        }
        return verify(request, user, LongTermKey.of(user, realm, users.get(user), algorithm));
    }

    private Result byUsername(StunMessage request, PasswordAlgorithm algorithm) {
        String username;
        try {
            if (request.valueLength(request.indexOf(StunAttribute.USERNAME)) > MAX_USERNAME_BYTES) {
                return fail(ErrorCode.BAD_REQUEST, "bad_attribute");
            }
            username = request.utf8(StunAttribute.USERNAME);
        } catch (StunParseException e) {
            return fail(ErrorCode.UNAUTHENTICATED, "bad_username");
        }
        // §14.3: USERNAME is OpaqueString-prepared; one with disallowed code points is not valid -> 401.
        String prepared = preparedOrNull(username);
        if (prepared == null) {
            return fail(ErrorCode.UNAUTHENTICATED, "bad_username");
        }
        // The key uses USERNAME as sent (§9.2.2); the lookup its prepared form.
        String password = users.get(prepared);
        if (password != null) {
            return verify(request, prepared, LongTermKey.of(username, realm, password, algorithm));
        }
        return byRestUsername(request, username, algorithm);
    }

    /** A TURN REST credential: unexpired, not valid for longer than the limit, signed with a secret. */
    private Result byRestUsername(StunMessage request, String username, PasswordAlgorithm algorithm) {
        if (!useAuthSecret || secrets.isEmpty()) {
            return fail(ErrorCode.UNAUTHENTICATED, "unknown_user");
        }
        OptionalLong expiry = RestCredentials.expiry(username);
        if (expiry.isEmpty()) {
            return fail(ErrorCode.UNAUTHENTICATED, "unknown_user");
        }
        long now = clock.millis();
        if (expiry.getAsLong() * 1000 < now) {
            return new Result(ErrorCode.UNAUTHENTICATED, "expired", "Unauthenticated: credential expired",
                    null, null, null);
        }
        // A credential must not outlive what signaling hands out (max-credential-lifetime): one
        // minted by hand with the secret, years ahead, would otherwise never lapse.
        if (expiry.getAsLong() * 1000 - now > maxCredentialLifetimeMillis) {
            return new Result(ErrorCode.UNAUTHENTICATED, "lifetime_too_long",
                    "Unauthenticated: credential expiry too far ahead", null, null, null);
        }
        for (byte[] secret : secrets) {
            byte[] key = LongTermKey.of(username, realm, RestCredentials.password(secret, username), algorithm);
            if (MessageIntegrity.verify(request, key)) {
                return Result.ok(username, RestCredentials.user(username), key);
            }
        }
        return fail(ErrorCode.UNAUTHENTICATED, "bad_integrity");
    }

    private static Result verify(StunMessage request, String username, byte[] key) {
        return MessageIntegrity.verify(request, key) ? Result.ok(username, username, key)
                : fail(ErrorCode.UNAUTHENTICATED, "bad_integrity");
    }

    private static String preparedOrNull(String s) {
        try {
            return OpaqueString.prepare(s);
        } catch (IllegalArgumentException e) {
            return null;
        }
    }

    private static Result fail(int code, String reason) {
        return new Result(code, reason, null, null, null, null);
    }
}
