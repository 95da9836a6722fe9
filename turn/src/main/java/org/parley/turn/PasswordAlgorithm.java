package org.parley.turn;

/**
 * The password algorithms of the long-term credential mechanism (RFC 8489 §18.5, IANA "STUN Password
 * Algorithms"): the hash that turns username, realm and password into the key (§9.2.2). Neither
 * takes parameters, so each is encoded as its number and a zero parameter length (§14.11, §14.12).
 */
enum PasswordAlgorithm {
    /** RFC 8489 §18.5.1.1: 16-byte key, what every RFC 5389 client uses without saying so. */
    MD5(0x0001, "MD5"),
    /** RFC 8489 §18.5.1.2: 32-byte key. */
    SHA256(0x0002, "SHA-256");

    /**
     * What this server offers in PASSWORD-ALGORITHMS, in its order of preference (RFC 8489 §9.2.4):
     * SHA-256 first, MD5 for the clients that know no better.
     */
    static final PasswordAlgorithm[] OFFERED = {SHA256, MD5};

    /** The PASSWORD-ALGORITHMS value the server sends and expects back unchanged (§9.2.4). */
    static final byte[] OFFERED_VALUE = encodeAll(OFFERED);

    final int number;
    final String digest;

    PasswordAlgorithm(int number, String digest) {
        this.number = number;
        this.digest = digest;
    }

    /** One entry: algorithm (16 bits), parameters length (16 bits, here 0), no parameters. */
    byte[] encode() {
        return new byte[] {(byte) (number >> 8), (byte) number, 0, 0};
    }

    /** The offered algorithm whose PASSWORD-ALGORITHM value is exactly {@code value}, or null. */
    static PasswordAlgorithm ofValue(byte[] value) {
        if (value == null || value.length != 4) {
            return null;
        }
        for (PasswordAlgorithm a : OFFERED) {
            if (java.util.Arrays.equals(a.encode(), value)) {
                return a;
            }
        }
        return null;
    }

    private static byte[] encodeAll(PasswordAlgorithm[] list) {
        byte[] out = new byte[list.length * 4];
        for (int i = 0; i < list.length; i++) {
            System.arraycopy(list[i].encode(), 0, out, i * 4, 4);
        }
        return out;
    }
}
