package org.parley.relay.transport;

import org.bouncycastle.tls.SRTPProtectionProfile;
import org.jitsi.srtp.SrtpPolicy;

/**
 * The SRTP protection profiles the relay negotiates in DTLS use_srtp (RFC 5764 section 4.1.2),
 * most preferred first, with the key sizes each one needs.
 */
public enum SrtpProfile {
    /** RFC 7714: AES-GCM, 16-byte tag, 12-byte salt. */
    AEAD_AES_128_GCM(SRTPProtectionProfile.SRTP_AEAD_AES_128_GCM, 16, 12),
    /** RFC 3711 default suite with an 80-bit HMAC-SHA1 tag. */
    AES_CM_128_HMAC_SHA1_80(SRTPProtectionProfile.SRTP_AES128_CM_HMAC_SHA1_80, 16, 14);

    private final int tlsId;
    private final int keyLength;
    private final int saltLength;

    SrtpProfile(int tlsId, int keyLength, int saltLength) {
        this.tlsId = tlsId;
        this.keyLength = keyLength;
        this.saltLength = saltLength;
    }

    public int tlsId() {
        return tlsId;
    }

    public int keyLength() {
        return keyLength;
    }

    public int saltLength() {
        return saltLength;
    }

    /** The jitsi-srtp policy for this profile (the same for SRTP and SRTCP). */
    public SrtpPolicy policy() {
        return switch (this) {
            case AEAD_AES_128_GCM -> new SrtpPolicy(SrtpPolicy.AESGCM_ENCRYPTION, keyLength,
                    SrtpPolicy.NULL_AUTHENTICATION, 0, 16, saltLength);
            case AES_CM_128_HMAC_SHA1_80 -> new SrtpPolicy(SrtpPolicy.AESCM_ENCRYPTION, keyLength,
                    SrtpPolicy.HMACSHA1_AUTHENTICATION, 20, 10, saltLength);
        };
    }

    /** Bytes an SRTP packet grows by when protected (tag; SRTCP adds its 4-byte index too). */
    public int tagLength() {
        return this == AEAD_AES_128_GCM ? 16 : 10;
    }

    static int[] tlsIds() {
        SrtpProfile[] all = values();
        int[] ids = new int[all.length];
        for (int i = 0; i < all.length; i++) {
            ids[i] = all[i].tlsId;
        }
        return ids;
    }

    static SrtpProfile ofTlsId(int id) {
        for (SrtpProfile p : values()) {
            if (p.tlsId == id) {
                return p;
            }
        }
        return null;
    }
}
