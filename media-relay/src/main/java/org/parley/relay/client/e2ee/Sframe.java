package org.parley.relay.client.e2ee;

import java.security.GeneralSecurityException;
import javax.crypto.AEADBadTagException;
import javax.crypto.Cipher;
import javax.crypto.spec.GCMParameterSpec;

/**
 * SFrame encryption and decryption (RFC 9605 §4.4.3, §4.4.4) with AES-128-GCM from the JDK:
 * {@code header || AEAD.Encrypt(sframe_key, nonce, header || metadata, plaintext)}.
 */
public final class Sframe {

    private Sframe() {
    }

    /** The SFrame ciphertext (header, ciphertext and tag) of {@code plaintext}. */
    public static byte[] encrypt(SframeKey key, long ctr, byte[] metadata, byte[] plaintext) {
        byte[] header = SframeHeader.encode(key.kid(), ctr);
        byte[] out = new byte[header.length + plaintext.length + SframeKey.TAG_BYTES];
        System.arraycopy(header, 0, out, 0, header.length);
        try {
            Cipher gcm = cipher(Cipher.ENCRYPT_MODE, key, ctr);
            gcm.updateAAD(header);
            gcm.updateAAD(metadata);
            gcm.doFinal(plaintext, 0, plaintext.length, out, header.length);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("AES-GCM with a 16-byte key cannot fail to encrypt", e);
        }
        return out;
    }

    /**
     * Opens an SFrame ciphertext ({@code len} bytes at {@code off}) whose header was read as
     * {@code header}, with the key its KID names.
     *
     * @throws AEADBadTagException when the tag does not verify (wrong key, altered bytes)
     */
    public static byte[] decrypt(SframeKey key, SframeHeader header, byte[] metadata, byte[] b, int off, int len)
            throws AEADBadTagException {
        if (len < header.length() + SframeKey.TAG_BYTES) {
            throw new AEADBadTagException("SFrame ciphertext shorter than header and tag");
        }
        try {
            Cipher gcm = cipher(Cipher.DECRYPT_MODE, key, header.ctr());
            gcm.updateAAD(b, off, header.length());
            gcm.updateAAD(metadata);
            return gcm.doFinal(b, off + header.length(), len - header.length());
        } catch (AEADBadTagException e) {
            throw e;
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("AES-GCM set-up failed", e);
        }
    }

    private static Cipher cipher(int mode, SframeKey key, long ctr) throws GeneralSecurityException {
        Cipher gcm = Cipher.getInstance("AES/GCM/NoPadding");
        gcm.init(mode, key.key(), new GCMParameterSpec(SframeKey.TAG_BYTES * 8, key.nonce(ctr)));
        return gcm;
    }
}
