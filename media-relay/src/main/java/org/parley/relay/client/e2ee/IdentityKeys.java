package org.parley.relay.client.e2ee;

import java.math.BigInteger;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.interfaces.ECPublicKey;
import java.security.spec.ECGenParameterSpec;
import java.security.spec.ECParameterSpec;
import java.security.spec.ECPoint;
import java.security.spec.ECPublicKeySpec;
import java.util.Arrays;
import java.util.Base64;
import javax.crypto.KeyAgreement;

/**
 * A device's identity key pair: ECDH on P-256 (secp256r1, as WebCrypto's {@code ECDH}/{@code P-256}).
 * The public key travels as the raw uncompressed point {@code 0x04 || X || Y} (SEC 1 §2.3.3),
 * base64url without padding; the private key never leaves the device.
 */
public final class IdentityKeys {

    /** 1 + 32 + 32. */
    public static final int POINT_BYTES = 65;
    private static final int COORDINATE = 32;

    private final KeyPair pair;
    private final byte[] publicPoint;

    private IdentityKeys(KeyPair pair) {
        this.pair = pair;
        this.publicPoint = encode((ECPublicKey) pair.getPublic());
    }

    /** A fresh key pair. */
    public static IdentityKeys generate() {
        try {
            KeyPairGenerator g = KeyPairGenerator.getInstance("EC");
            g.initialize(new ECGenParameterSpec("secp256r1"));
            return new IdentityKeys(g.generateKeyPair());
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("P-256 is part of every JDK", e);
        }
    }

    /** The public key as the 65-byte uncompressed point. */
    public byte[] publicPoint() {
        return publicPoint.clone();
    }

    /** The public key as it goes on the wire ({@code identityKey}). */
    public String publicKey() {
        return Base64.getUrlEncoder().withoutPadding().encodeToString(publicPoint);
    }

    /**
     * The ECDH shared secret with {@code peerPoint}: the X coordinate of the shared point (32 bytes,
     * what WebCrypto's deriveBits with 256 bits gives). A point off the curve is refused by the
     * key agreement ({@link IllegalArgumentException}).
     */
    public byte[] sharedSecret(byte[] peerPoint) {
        try {
            KeyAgreement ka = KeyAgreement.getInstance("ECDH");
            ka.init(pair.getPrivate());
            ka.doPhase(decode(peerPoint), true);
            return ka.generateSecret();
        } catch (GeneralSecurityException e) {
            throw new IllegalArgumentException("not a usable P-256 public key: " + e.getMessage(), e);
        }
    }

    /** Reads a wire identity key (base64url of the 65-byte point); {@link IllegalArgumentException} when malformed. */
    public static byte[] point(String identityKey) {
        byte[] p = Base64.getUrlDecoder().decode(identityKey);
        if (p.length != POINT_BYTES || p[0] != 0x04) {
            throw new IllegalArgumentException("an identity key is 65 bytes starting 0x04");
        }
        return p;
    }

    static byte[] encode(ECPublicKey key) {
        byte[] out = new byte[POINT_BYTES];
        out[0] = 0x04;
        fixed(key.getW().getAffineX(), out, 1);
        fixed(key.getW().getAffineY(), out, 1 + COORDINATE);
        return out;
    }

    private static void fixed(BigInteger v, byte[] out, int at) {
        byte[] b = v.toByteArray();
        int n = Math.min(b.length, COORDINATE);
        System.arraycopy(b, b.length - n, out, at + COORDINATE - n, n);
    }

    private ECPublicKey decode(byte[] point) throws GeneralSecurityException {
        if (point.length != POINT_BYTES || point[0] != 0x04) {
            throw new GeneralSecurityException("not an uncompressed P-256 point");
        }
        BigInteger x = new BigInteger(1, Arrays.copyOfRange(point, 1, 1 + COORDINATE));
        BigInteger y = new BigInteger(1, Arrays.copyOfRange(point, 1 + COORDINATE, POINT_BYTES));
        ECParameterSpec curve = ((ECPublicKey) pair.getPublic()).getParams();
        return (ECPublicKey) KeyFactory.getInstance("EC").generatePublic(new ECPublicKeySpec(new ECPoint(x, y), curve));
    }
}
