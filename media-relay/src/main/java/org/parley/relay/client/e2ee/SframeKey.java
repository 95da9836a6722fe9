package org.parley.relay.client.e2ee;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import javax.crypto.spec.SecretKeySpec;

/**
 * The key and salt SFrame derives from one sender's base key (RFC 9605 §4.4.2), for cipher suite
 * AES_128_GCM_SHA256_128 (0x0004: Nk = 16, Nn = 12, Nt = 16).
 */
public final class SframeKey {

    /** RFC 9605 §4.5: AES_128_GCM_SHA256_128. */
    public static final int CIPHER_SUITE = 0x0004;
    static final int KEY_BYTES = 16;
    static final int NONCE_BYTES = 12;
    static final int TAG_BYTES = 16;

    private final long kid;
    private final SecretKeySpec key;
    private final byte[] salt;

    private SframeKey(long kid, byte[] key, byte[] salt) {
        this.kid = kid;
        this.key = new SecretKeySpec(key, "AES");
        this.salt = salt;
    }

    /**
     * sframe_secret = HKDF-Extract("", base_key); sframe_key and sframe_salt = HKDF-Expand of it
     * with the labels "SFrame 1.0 Secret key " / "SFrame 1.0 Secret salt " followed by the KID
     * (8 bytes) and the cipher suite (2 bytes), big-endian.
     */
    public static SframeKey derive(byte[] baseKey, long kid) {
        byte[] secret = Hkdf.extract(new byte[0], baseKey);
        byte[] key = Hkdf.expand(secret, label("SFrame 1.0 Secret key ", kid), KEY_BYTES);
        byte[] salt = Hkdf.expand(secret, label("SFrame 1.0 Secret salt ", kid), NONCE_BYTES);
        return new SframeKey(kid, key, salt);
    }

    private static byte[] label(String prefix, long kid) {
        byte[] text = prefix.getBytes(StandardCharsets.US_ASCII);
        return ByteBuffer.allocate(text.length + 10).put(text).putLong(kid).putShort((short) CIPHER_SUITE).array();
    }

    public long kid() {
        return kid;
    }

    SecretKeySpec key() {
        return key;
    }

    /** The raw sframe_key (for test vectors). */
    public byte[] keyBytes() {
        return key.getEncoded();
    }

    public byte[] salt() {
        return salt.clone();
    }

    /** nonce = sframe_salt XOR CTR, the counter big-endian in the nonce's last bytes (RFC 9605 §4.4.3). */
    public byte[] nonce(long ctr) {
        byte[] n = salt.clone();
        for (int i = 0; i < 8; i++) {
            n[NONCE_BYTES - 1 - i] ^= (byte) (ctr >>> (8 * i));
        }
        return n;
    }
}
