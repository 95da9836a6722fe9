package org.parley.signaling.session;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.time.Clock;
import java.time.Duration;
import java.util.Base64;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * Time-limited TURN credentials in the TURN REST convention (draft-uberti-behave-turn-rest-00,
 * coturn's {@code use-auth-secret}): the username is {@code EXPIRY:USER} with EXPIRY in Unix
 * seconds, the password base64(HMAC-SHA1(secret, username)). The TURN server checks them with the
 * same secret and needs no call to signaling.
 */
public final class TurnCredentials {

    /** One minted credential. */
    public record Credential(String username, String password, long expiresAtSeconds) {
    }

    private final SecretKeySpec key;
    private final Duration ttl;
    private final Clock clock;

    public TurnCredentials(byte[] secret, Duration ttl, Clock clock) {
        this.key = new SecretKeySpec(secret, "HmacSHA1");
        this.ttl = ttl;
        this.clock = clock;
    }

    public Credential mint(String user) {
        long expiry = clock.instant().plus(ttl).getEpochSecond();
        String username = expiry + ":" + user;
        return new Credential(username, password(username), expiry);
    }

    /** The password the TURN server expects for {@code username}. */
    public String password(String username) {
        try {
            Mac mac = Mac.getInstance("HmacSHA1");
            mac.init(key);
            return Base64.getEncoder().encodeToString(mac.doFinal(username.getBytes(StandardCharsets.UTF_8)));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("HmacSHA1 is required by every JRE", e);
        }
    }
}
