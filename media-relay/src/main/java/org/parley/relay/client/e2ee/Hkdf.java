package org.parley.relay.client.e2ee;

import java.security.GeneralSecurityException;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/** HKDF with HMAC-SHA256 (RFC 5869), written on the JDK's {@link Mac}. */
final class Hkdf {

    static final int HASH_LEN = 32;

    private Hkdf() {
    }

    /**
     * HKDF-Extract (RFC 5869 §2.2). An empty salt is "a string of HashLen zeros"; HMAC pads its
     * key with zeros anyway, and the JDK refuses an empty key, so the zeros are written out.
     */
    static byte[] extract(byte[] salt, byte[] ikm) {
        byte[] s = salt.length == 0 ? new byte[HASH_LEN] : salt;
        return mac(s).doFinal(ikm);
    }

    /** HKDF-Expand (RFC 5869 §2.3): T(1) | T(2) | ... cut to {@code length} bytes. */
    static byte[] expand(byte[] prk, byte[] info, int length) {
        if (length > 255 * HASH_LEN) {
            throw new IllegalArgumentException("HKDF-Expand length over 255 * HashLen: " + length);
        }
        Mac mac = mac(prk);
        byte[] out = new byte[length];
        byte[] t = new byte[0];
        for (int done = 0, i = 1; done < length; i++) {
            mac.update(t);
            mac.update(info);
            mac.update((byte) i);
            t = mac.doFinal();
            int n = Math.min(t.length, length - done);
            System.arraycopy(t, 0, out, done, n);
            done += n;
        }
        return out;
    }

    private static Mac mac(byte[] key) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(key, "HmacSHA256"));
            return mac;
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("HmacSHA256 is part of every JDK", e);
        }
    }
}
