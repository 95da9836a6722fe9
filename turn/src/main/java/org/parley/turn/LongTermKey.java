package org.parley.turn;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;

/**
 * The long-term credential key (RFC 8489 §9.2.2): H(username ":" OpaqueString(realm) ":"
 * OpaqueString(password)) with H = MD5 or SHA-256 as the PASSWORD-ALGORITHM says, and USERHASH
 * (§14.4): SHA-256(OpaqueString(username) ":" OpaqueString(realm)). Callers pass realm, password and
 * (for USERHASH) username already prepared: the configuration prepares them once at start-up.
 */
final class LongTermKey {
    private LongTermKey() {
    }

    /** The MD5 key, what clients that send no PASSWORD-ALGORITHM use. */
    static byte[] of(String username, String realm, String password) {
        return of(username, realm, password, PasswordAlgorithm.MD5);
    }

    static byte[] of(String username, String realm, String password, PasswordAlgorithm algorithm) {
        return digest(algorithm.digest, username + ":" + realm + ":" + password);
    }

    /** USERHASH of a prepared username in a prepared realm. */
    static byte[] userhash(String username, String realm) {
        return digest("SHA-256", username + ":" + realm);
    }

    private static byte[] digest(String algorithm, String input) {
        try {
            return MessageDigest.getInstance(algorithm).digest(input.getBytes(StandardCharsets.UTF_8));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(algorithm + " missing from the JDK", e);
        }
    }
}
