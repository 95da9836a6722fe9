package org.parley.turn;

import java.util.Arrays;

/**
 * The IPv4 address an IPv6 address carries, in the forms a peer address can take to reach an IPv4
 * host: IPv4-mapped ({@code ::ffff:0:0/96}, RFC 4291 §2.5.5.2), SIIT IPv4-translated
 * ({@code ::ffff:0:0:0/96}, RFC 2765 §2.1), IPv4-compatible ({@code ::/96}, RFC 4291 §2.5.5.1),
 * NAT64 ({@code 64:ff9b::/96}, RFC 6052 §2.1, and {@code 64:ff9b:1::/48}, RFC 8215), 6to4
 * ({@code 2002::/16}, RFC 3056 §2) and Teredo ({@code 2001::/32}, RFC 4380 §4).
 */
final class EmbeddedIpv4 {
    private EmbeddedIpv4() {
    }

    /** The embedded IPv4 address of {@code raw} (4 bytes), or null when it carries none. */
    static byte[] of(byte[] raw) {
        if (raw.length != 16) {
            return null;
        }
        if (zero(raw, 0, 10)) {
            // ::ffff:a.b.c.d (mapped)
            if (raw[10] == (byte) 0xFF && raw[11] == (byte) 0xFF) {
                return last32(raw);
            }
            // ::a.b.c.d (compatible), except :: and ::1, which are IPv6's own unspecified and loopback
            if (raw[10] == 0 && raw[11] == 0 && !(zero(raw, 12, 3) && (raw[15] == 0 || raw[15] == 1))) {
                return last32(raw);
            }
        }
        // ::ffff:0:a.b.c.d (SIIT translated)
        if (zero(raw, 0, 8) && raw[8] == (byte) 0xFF && raw[9] == (byte) 0xFF && raw[10] == 0 && raw[11] == 0) {
            return last32(raw);
        }
        // 64:ff9b::/96 and 64:ff9b:1::/48. Inside the /48 an operator picks the prefix length
        // (RFC 8215 §3, RFC 6052 §2.2); the last 32 bits are where a /96 network puts the address.
        // The whole /48 is denied by default anyway, so this only matters once it is allowed.
        if (raw[0] == 0 && raw[1] == 0x64 && raw[2] == (byte) 0xFF && raw[3] == (byte) 0x9B
                && (zero(raw, 4, 8) || (raw[4] == 0 && raw[5] == 1))) {
            return last32(raw);
        }
        // 6to4: the site's IPv4 address in bits 16-47
        if (raw[0] == 0x20 && raw[1] == 0x02) {
            return Arrays.copyOfRange(raw, 2, 6);
        }
        // Teredo: the client's IPv4 address, every bit inverted, in the last 32 bits
        if (raw[0] == 0x20 && raw[1] == 0x01 && raw[2] == 0 && raw[3] == 0) {
            byte[] v4 = last32(raw);
            for (int i = 0; i < 4; i++) {
                v4[i] = (byte) ~v4[i];
            }
            return v4;
        }
        return null;
    }

    private static boolean zero(byte[] b, int from, int n) {
        for (int i = from; i < from + n; i++) {
            if (b[i] != 0) {
                return false;
            }
        }
        return true;
    }

    private static byte[] last32(byte[] raw) {
        return Arrays.copyOfRange(raw, 12, 16);
    }
}
