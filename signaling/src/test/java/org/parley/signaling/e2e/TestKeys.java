package org.parley.signaling.e2e;

import java.math.BigInteger;
import java.security.GeneralSecurityException;
import java.security.KeyPairGenerator;
import java.security.interfaces.ECPublicKey;
import java.security.spec.ECGenParameterSpec;
import java.util.Base64;
import java.util.List;
import java.util.Map;

/** Identity keys as a client makes them: a fresh P-256 public point, 0x04||X||Y in unpadded base64url. */
final class TestKeys {

    private TestKeys() {
    }

    /** The {@code e2ee} object of a request. */
    static Map<String, String> e2ee(String identityKey) {
        return Map.of("identityKey", identityKey);
    }

    static String identityKey() {
        try {
            KeyPairGenerator g = KeyPairGenerator.getInstance("EC");
            g.initialize(new ECGenParameterSpec("secp256r1"));
            ECPublicKey pub = (ECPublicKey) g.generateKeyPair().getPublic();
            byte[] point = new byte[65];
            point[0] = 0x04;
            copy(pub.getW().getAffineX(), point, 1);
            copy(pub.getW().getAffineY(), point, 33);
            return Base64.getUrlEncoder().withoutPadding().encodeToString(point);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    private static void copy(BigInteger v, byte[] out, int at) {
        byte[] b = v.toByteArray();
        int n = Math.min(b.length, 32);
        System.arraycopy(b, b.length - n, out, at + 32 - n, n);
    }

    /** Keys of the wrong shape: compressed point, too short, padded, standard base64, not base64. */
    static List<String> malformedKeys() {
        String good = identityKey();
        byte[] compressed = Base64.getUrlDecoder().decode(good);
        compressed[0] = 0x02;
        String url = Base64.getUrlEncoder().withoutPadding().encodeToString(compressed);
        return List.of(url, good.substring(0, 86), good + "=", good + "AAAA", "+/" + good.substring(2), "!".repeat(87), "");
    }
}
