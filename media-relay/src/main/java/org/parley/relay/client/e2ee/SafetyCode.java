package org.parley.relay.client.e2ee;

import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.List;

/**
 * The short code people in a call compare aloud to know no one sits in the middle (docs/e2ee.md):
 * SHA-256 over everyone's identity key (the 65-byte points, sorted bytewise, concatenated), its
 * first 15 bytes read as five 24-bit big-endian numbers, each mod 100000, zero-padded to five
 * digits, separated by spaces. Everyone computes the same code from the same keys.
 */
public final class SafetyCode {

    private SafetyCode() {
    }

    public static String of(Collection<byte[]> identityPoints) {
        List<byte[]> sorted = new ArrayList<>(identityPoints);
        sorted.sort(Arrays::compareUnsigned);
        try {
            MessageDigest sha = MessageDigest.getInstance("SHA-256");
            sorted.forEach(sha::update);
            byte[] d = sha.digest();
            StringBuilder code = new StringBuilder();
            for (int g = 0; g < 5; g++) {
                int v = (d[3 * g] & 0xff) << 16 | (d[3 * g + 1] & 0xff) << 8 | (d[3 * g + 2] & 0xff);
                if (g > 0) {
                    code.append(' ');
                }
                code.append(String.format("%05d", v % 100000));
            }
            return code.toString();
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("SHA-256 is part of every JDK", e);
        }
    }
}
