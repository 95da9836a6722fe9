package org.parley.relay.client.e2ee;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.SecureRandom;
import java.util.Base64;
import javax.crypto.Cipher;
import javax.crypto.spec.GCMParameterSpec;
import javax.crypto.spec.SecretKeySpec;

/**
 * The {@code e2ee.key} payload (docs/e2ee.md, key exchange): a sender key wrapped for one
 * recipient. {@code base64url(iv(12) || AES-256-GCM(wrapping key, iv, AAD = context id,
 * {"kid": n, "key": "<b64url>"}))}, where the wrapping key is HKDF-SHA256 of the ECDH secret
 * with 32 zero bytes of salt and info "parley-e2ee-wrap-v1" || sender key || recipient key. The
 * context id (room or call) in the AAD keeps a payload from being replayed into another context.
 */
public final class KeyWrap {

    /** A sender key as unwrapped: its KID and 16-byte base key. */
    public record Unwrapped(long kid, byte[] baseKey) {
    }

    private static final byte[] INFO = "parley-e2ee-wrap-v1".getBytes(StandardCharsets.UTF_8);
    private static final int IV_BYTES = 12;
    private static final int TAG_BITS = 128;
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final SecureRandom RANDOM = new SecureRandom();

    private KeyWrap() {
    }

    /** Wraps {@code key} from {@code me} to the device whose identity key is {@code recipient}. */
    public static String wrap(IdentityKeys me, byte[] recipient, String contextId, SenderKey key) {
        ObjectNode plain = JSON.createObjectNode();
        plain.put("kid", key.kid());
        plain.put("key", Base64.getUrlEncoder().withoutPadding().encodeToString(key.baseKey()));
        byte[] iv = new byte[IV_BYTES];
        RANDOM.nextBytes(iv);
        try {
            Cipher gcm = cipher(Cipher.ENCRYPT_MODE, wrappingKey(me, me.publicPoint(), recipient), iv);
            gcm.updateAAD(contextId.getBytes(StandardCharsets.UTF_8));
            byte[] sealed = gcm.doFinal(plain.toString().getBytes(StandardCharsets.UTF_8));
            return Base64.getUrlEncoder().withoutPadding()
                    .encodeToString(ByteBuffer.allocate(IV_BYTES + sealed.length).put(iv).put(sealed).array());
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("AES-256-GCM cannot fail to encrypt", e);
        }
    }

    /**
     * Unwraps a payload {@code sender} wrapped for {@code me}. {@link IllegalArgumentException}
     * when it is malformed, for another recipient or context, or altered.
     */
    public static Unwrapped unwrap(IdentityKeys me, byte[] sender, String contextId, String payload) {
        try {
            byte[] raw = Base64.getUrlDecoder().decode(payload);
            if (raw.length < IV_BYTES + TAG_BITS / 8) {
                throw new IllegalArgumentException("key payload too short");
            }
            Cipher gcm = cipher(Cipher.DECRYPT_MODE, wrappingKey(me, sender, me.publicPoint()),
                    java.util.Arrays.copyOf(raw, IV_BYTES));
            gcm.updateAAD(contextId.getBytes(StandardCharsets.UTF_8));
            byte[] plain = gcm.doFinal(raw, IV_BYTES, raw.length - IV_BYTES);
            JsonNode n = JSON.readTree(plain);
            long kid = n.path("kid").asLong(-1);
            byte[] base = Base64.getUrlDecoder().decode(n.path("key").asText(""));
            if (kid < 0 || kid > 0xFFFFFFFFL || base.length != SframeKey.KEY_BYTES) {
                throw new IllegalArgumentException("key payload holds no kid and 16-byte key");
            }
            return new Unwrapped(kid, base);
        } catch (GeneralSecurityException | IOException e) {
            throw new IllegalArgumentException("key payload does not open: " + e.getMessage(), e);
        }
    }

    private static byte[] wrappingKey(IdentityKeys me, byte[] senderPoint, byte[] recipientPoint) {
        byte[] peer = java.util.Arrays.equals(senderPoint, me.publicPoint()) ? recipientPoint : senderPoint;
        byte[] info = ByteBuffer.allocate(INFO.length + 2 * IdentityKeys.POINT_BYTES)
                .put(INFO).put(senderPoint).put(recipientPoint).array();
        return Hkdf.expand(Hkdf.extract(new byte[Hkdf.HASH_LEN], me.sharedSecret(peer)), info, 32);
    }

    private static Cipher cipher(int mode, byte[] key, byte[] iv) throws GeneralSecurityException {
        Cipher gcm = Cipher.getInstance("AES/GCM/NoPadding");
        gcm.init(mode, new SecretKeySpec(key, "AES"), new GCMParameterSpec(TAG_BITS, iv));
        return gcm;
    }
}
