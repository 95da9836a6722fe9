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
 * Issues and checks NONCE values (RFC 8489 §9.2). A nonce is its expiry time plus an HMAC over the
 * expiry and the client's address with a per-process key, so checking one keeps no state and a
 * nonce is worthless from another address. Expired nonces get 438 Stale Nonce (§9.2.4).
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

    String issue(InetAddress client) {
        long expiry = clock.millis() + lifetimeMillis;
        return Long.toHexString(expiry) + "." + mac(expiry, client);
    }

    /** True when {@code nonce} was issued by this process to {@code client} and has not expired. */
    boolean isValid(String nonce, InetAddress client) {
        if (nonce == null || nonce.length() > 64) {
            return false;
        }
        int dot = nonce.indexOf('.');
        if (dot <= 0 || dot > 16) {
            return false;
        }
        long expiry;
        try {
            expiry = Long.parseUnsignedLong(nonce.substring(0, dot), 16);
        } catch (NumberFormatException e) {
            return false;
        }
        boolean authentic = MessageDigest.isEqual(mac(expiry, client).getBytes(StandardCharsets.US_ASCII),
                nonce.substring(dot + 1).getBytes(StandardCharsets.US_ASCII));
        return authentic && clock.millis() < expiry;
    }

    private String mac(long expiry, InetAddress client) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(key, "HmacSHA256"));
            for (int i = 56; i >= 0; i -= 8) {
                mac.update((byte) (expiry >>> i));
            }
            mac.update(client.getAddress());
            byte[] full = mac.doFinal();
            return HEX.formatHex(full, 0, 12);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }
}
