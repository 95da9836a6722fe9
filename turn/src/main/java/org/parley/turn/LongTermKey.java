package org.parley.turn;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;

/**
 * The long-term credential key (RFC 8489 §9.2.2): MD5(username ":" realm ":" password).
 * OpaqueString preparation (RFC 8265) is the identity for the ASCII names TURN deployments use.
 */
final class LongTermKey {
    private LongTermKey() {
    }

    static byte[] of(String username, String realm, String password) {
        try {
            return MessageDigest.getInstance("MD5").digest(
                    (username + ":" + realm + ":" + password).getBytes(StandardCharsets.UTF_8));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }
}
