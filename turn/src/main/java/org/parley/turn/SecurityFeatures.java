package org.parley.turn;

import java.util.Base64;

/**
 * The STUN security features this server announces in the nonce cookie (RFC 8489 §9.2, registry in
 * §18.1): a NONCE that starts with "obMatJos2" followed by the 24 feature bits in Base64 (four
 * characters). A client that sees the cookie knows the server speaks RFC 8489, and since the bits
 * travel inside the nonce it signs back, a man in the middle cannot strip them unnoticed (§9.2.1).
 *
 * <p>Bit numbering: bit 0 (password algorithms) is the least significant bit of the 24, bit 1
 * (username anonymity) the next one. This follows RFC 8489 erratum 6290 and the RFC's own sample
 * nonce in Appendix B.1 ("obMatJos2AAAC..." for a USERHASH request); the prose of §9.2 can be read
 * the other way round. Either way, a client that reads the bits otherwise only falls back to what an
 * RFC 5389 client does (USERNAME and MD5), which this server accepts too.
 */
record SecurityFeatures(boolean passwordAlgorithms, boolean usernameAnonymity) {
    /** RFC 8489 §9.2. */
    static final String COOKIE = "obMatJos2";

    /**
     * The features this server can honour: password algorithms always; username anonymity only when
     * every user it accepts can be found by USERHASH, that is static users and no REST credentials
     * (a REST username is minted elsewhere and cannot be looked up by its hash).
     */
    static SecurityFeatures of(TurnConfig config) {
        boolean restUsers = config.useAuthSecret() && !config.staticAuthSecrets().isEmpty();
        return new SecurityFeatures(true, !config.users().isEmpty() && !restUsers);
    }

    /** The cookie and encoded bits every nonce of this server begins with. */
    String noncePrefix() {
        int bits = (passwordAlgorithms ? 1 : 0) | (usernameAnonymity ? 2 : 0);
        return COOKIE + Base64.getEncoder().encodeToString(new byte[] {(byte) (bits >> 16), (byte) (bits >> 8), (byte) bits});
    }

    /**
     * True when {@code nonce} carries the cookie with the password algorithms bit, which makes the
     * PASSWORD-ALGORITHM(S) checks of RFC 8489 §9.2.4 apply.
     */
    static boolean announcesPasswordAlgorithms(String nonce) {
        if (nonce == null || nonce.length() < COOKIE.length() + 4 || !nonce.startsWith(COOKIE)) {
            return false;
        }
        try {
            byte[] bits = Base64.getDecoder().decode(nonce.substring(COOKIE.length(), COOKIE.length() + 4));
            // "AA==" and the like decode to fewer than the 3 bytes of the feature bits.
            return bits.length == 3 && (bits[2] & 1) != 0;
        } catch (IllegalArgumentException e) {
            return false;
        }
    }
}
