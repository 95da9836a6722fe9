package org.parley.turn;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.util.Base64;
import java.util.OptionalLong;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * The "TURN REST API" ephemeral credentials as coturn's {@code use-auth-secret} accepts them
 * (draft-uberti-behave-turn-rest-00): the username carries an expiry time in Unix seconds, as
 * {@code EXPIRY:USER}, {@code USER:EXPIRY} or a bare {@code EXPIRY}; the password is
 * base64(HMAC-SHA1(secret, username)). Signaling mints them with the same secret.
 */
public final class RestCredentials {
    private RestCredentials() {
    }

    /** The expiry (Unix seconds) a REST username carries, or empty when it carries none. */
    public static OptionalLong expiry(String username) {
        int colon = username.indexOf(':');
        if (colon < 0) {
            return number(username);
        }
        OptionalLong first = number(username.substring(0, colon));
        if (first.isPresent()) {
            return first;
        }
        return number(username.substring(username.lastIndexOf(':') + 1));
    }

    /**
     * The user a REST username names, without its expiry: USER of {@code EXPIRY:USER} or
     * {@code USER:EXPIRY}, and "" for a bare {@code EXPIRY}. Quotas count per user, since every
     * credential signaling mints for one user has another expiry (coturn counts the same way).
     */
    public static String user(String username) {
        int colon = username.indexOf(':');
        if (colon < 0) {
            return "";
        }
        if (number(username.substring(0, colon)).isPresent()) {
            return username.substring(colon + 1);
        }
        return username.substring(0, username.lastIndexOf(':'));
    }

    /** The password for {@code username} under {@code secret}. */
    public static String password(byte[] secret, String username) {
        try {
            Mac mac = Mac.getInstance("HmacSHA1");
            mac.init(new SecretKeySpec(secret, "HmacSHA1"));
            return Base64.getEncoder().encodeToString(mac.doFinal(username.getBytes(StandardCharsets.UTF_8)));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    /** A username valid until {@code expiryEpochSeconds} for {@code user} (coturn's default order). */
    public static String username(long expiryEpochSeconds, String user) {
        return user == null || user.isEmpty() ? Long.toString(expiryEpochSeconds) : expiryEpochSeconds + ":" + user;
    }

    private static OptionalLong number(String s) {
        if (s.isEmpty() || s.length() > 18) {
            return OptionalLong.empty();
        }
        for (int i = 0; i < s.length(); i++) {
            if (s.charAt(i) < '0' || s.charAt(i) > '9') {
                return OptionalLong.empty();
            }
        }
        return OptionalLong.of(Long.parseLong(s));
    }
}
