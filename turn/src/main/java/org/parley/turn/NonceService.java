package org.parley.turn;

import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.time.Clock;
import java.util.HexFormat;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * Issues and checks NONCE values (RFC 8489 §9.2). A nonce is the nonce cookie (see
 * {@link SecurityFeatures}), its expiry time and an HMAC over both and the client's address with a
 * per-process key, so checking one keeps no state, a nonce is worthless from another address, and a
 * nonce whose feature bits were changed on the way (a bid-down attack, §9.2.1) is not ours.
 * Expired nonces get 438 Stale Nonce (§9.2.4).
 */
final class NonceService {
    private static final HexFormat HEX = HexFormat.of();
    private final byte[] key = new byte[32];
    private final Clock clock;
    private final long lifetimeMillis;

    NonceService(Clock clock, int lifetimeSeconds) {
        new SecureRandom().nextBytes(key);
        this.clock = clock;
        this.lifetimeMillis = lifetimeSeconds * 1000L;
    }

    /** A fresh nonce for {@code client} that starts with {@code cookie} (RFC 8489 §9.2: "obMatJos2" + bits). */
    String issue(InetAddress client, String cookie) {
        String stamped = cookie + Long.toHexString(clock.millis() + lifetimeMillis);
        return stamped + "." + mac(stamped, client);
    }

    /**
     * True when {@code nonce} was issued by this process to {@code client} with {@code cookie} and
     * has not expired.
     */
    boolean isValid(String nonce, InetAddress client, String cookie) {
        if (nonce == null || nonce.length() > 96 || !nonce.startsWith(cookie)) {
            return false;
        }
        int dot = nonce.indexOf('.');
        if (dot <= cookie.length() || dot > cookie.length() + 16) {
            return false;
        }
        String stamped = nonce.substring(0, dot);
        long expiry;
        try {
            expiry = Long.parseUnsignedLong(stamped.substring(cookie.length()), 16);
        } catch (NumberFormatException e) {
            return false;
        }
        boolean authentic = MessageDigest.isEqual(mac(stamped, client).getBytes(StandardCharsets.US_ASCII),
                nonce.substring(dot + 1).getBytes(StandardCharsets.US_ASCII));
        return authentic && clock.millis() < expiry;
    }

    private String mac(String stamped, InetAddress client) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(key, "HmacSHA256"));
            mac.update(stamped.getBytes(StandardCharsets.US_ASCII));
            mac.update(client.getAddress());
            byte[] full = mac.doFinal();
            return HEX.formatHex(full, 0, 12);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }
}
