package org.parley.turn.stun;

import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.util.zip.CRC32;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * MESSAGE-INTEGRITY (HMAC-SHA1, RFC 8489 §14.5), MESSAGE-INTEGRITY-SHA256 (§14.6) and FINGERPRINT
 * (CRC-32 XOR 0x5354554e, §14.7). The HMAC covers the message up to the integrity attribute, with the
 * header's length field adjusted to end just after that attribute.
 */
public final class MessageIntegrity {
    /** RFC 8489 §14.7. */
    static final int FINGERPRINT_XOR = 0x5354554e;

    private static final ThreadLocal<Mac> SHA1 = ThreadLocal.withInitial(() -> mac("HmacSHA1"));
    private static final ThreadLocal<Mac> SHA256 = ThreadLocal.withInitial(() -> mac("HmacSHA256"));
    private static final ThreadLocal<CRC32> CRC = ThreadLocal.withInitial(CRC32::new);

    private MessageIntegrity() {
    }

    private static Mac mac(String algorithm) {
        try {
            return Mac.getInstance(algorithm);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(algorithm + " missing from the JDK", e);
        }
    }

    /** HMAC over {@code bytes[0..end)} with the length field set to {@code lengthField}. */
    static byte[] hmac(boolean sha256, byte[] key, byte[] bytes, int end, int lengthField) {
        Mac mac = (sha256 ? SHA256 : SHA1).get();
        try {
            mac.init(new SecretKeySpec(key, sha256 ? "HmacSHA256" : "HmacSHA1"));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
        mac.update(bytes, 0, 2);
        mac.update((byte) (lengthField >> 8));
        mac.update((byte) lengthField);
        mac.update(bytes, 4, end - 4);
        return mac.doFinal();
    }

    /** True when {@code message} carries a MESSAGE-INTEGRITY(-SHA256) that {@code key} verifies. */
    public static boolean verify(StunMessage message, byte[] key) {
        byte[] bytes = message.bytes();
        int at = message.integrityOffset();
        boolean sha256 = false;
        int valueLength = 20;
        if (at < 0) {
            at = message.integritySha256Offset();
            if (at < 0) {
                return false;
            }
            sha256 = true;
            valueLength = StunMessage.u16(bytes, at + 2);
        }
        int lengthField = at + 4 + valueLength - StunMessage.HEADER_LENGTH;
        byte[] expected = hmac(sha256, key, bytes, at, lengthField);
        // Constant-time compare of the (possibly truncated, §14.6) value.
        return MessageDigest.isEqual(java.util.Arrays.copyOf(expected, valueLength),
                java.util.Arrays.copyOfRange(bytes, at + 4, at + 4 + valueLength));
    }

    /** True when the message used MESSAGE-INTEGRITY-SHA256 only, so the answer should too. */
    public static boolean usesSha256(StunMessage message) {
        return message.integrityOffset() < 0 && message.integritySha256Offset() >= 0;
    }

    /** True when a FINGERPRINT, if present, matches (RFC 8489 §7.3: mismatch means not STUN). */
    public static boolean fingerprintMatches(StunMessage message) {
        int at = message.fingerprintOffset();
        if (at < 0) {
            return true;
        }
        byte[] bytes = message.bytes();
        return fingerprint(bytes, at) == StunMessage.i32(bytes, at + 4);
    }

    static int fingerprint(byte[] bytes, int end) {
        CRC32 crc = CRC.get();
        crc.reset();
        crc.update(bytes, 0, end);
        return (int) crc.getValue() ^ FINGERPRINT_XOR;
    }
}
