package org.parley.turn;

import java.net.InetAddress;
import java.util.List;

/**
 * Decides which peers an allocation may talk to (RFC 8656 §21.2.3: a TURN server must not become
 * a door into the networks behind it).
 *
 * <p>IPv4 embedded in IPv6 is converted first (IPv4-mapped, IPv4-compatible, NAT64 64:ff9b::/96 and
 * 64:ff9b:1::/48, 6to4 2002::/16, Teredo 2001::/32), then checked as IPv4: checking only the IPv6
 * form let {@code ::ffff:127.0.0.1} reach loopback (the bypass behind CVE-2020-26262 and
 * CVE-2026-27624).
 *
 * <p>Order: unspecified, multicast and broadcast are always denied; loopback only with
 * {@code allow-loopback-peers}; then {@code allowed-peer-ip}, then {@code denied-peer-ip}, then the
 * built-in denials (link-local, unique-local, the reserved 240.0.0.0/4).
 */
final class PeerAddressPolicy {
    private static final List<AddressRange> ALWAYS_DENIED = List.of(
            AddressRange.parse("0.0.0.0/8"), AddressRange.parse("::/128"),
            AddressRange.parse("224.0.0.0/4"), AddressRange.parse("ff00::/8"),
            AddressRange.parse("255.255.255.255"));
    private static final List<AddressRange> LOOPBACK = List.of(
            AddressRange.parse("127.0.0.0/8"), AddressRange.parse("::1/128"));
    private static final List<AddressRange> DEFAULT_DENIED = List.of(
            AddressRange.parse("169.254.0.0/16"), AddressRange.parse("fe80::/10"),
            AddressRange.parse("fc00::/7"), AddressRange.parse("240.0.0.0/4"),
            AddressRange.parse("100::/64"), AddressRange.parse("2001:db8::/32"));

    private final List<AddressRange> allowed;
    private final List<AddressRange> denied;
    private final boolean allowLoopback;

    PeerAddressPolicy(List<String> allowed, List<String> denied, boolean allowLoopback) {
        this.allowed = allowed.stream().map(AddressRange::parse).toList();
        this.denied = denied.stream().map(AddressRange::parse).toList();
        this.allowLoopback = allowLoopback;
    }

    static PeerAddressPolicy from(TurnConfig config) {
        return new PeerAddressPolicy(config.allowedPeerIps(), config.deniedPeerIps(), config.allowLoopbackPeers());
    }

    boolean isAllowed(InetAddress peer) {
        byte[] raw = effective(peer.getAddress());
        if (any(ALWAYS_DENIED, raw)) {
            return false;
        }
        if (any(LOOPBACK, raw)) {
            return allowLoopback;
        }
        if (any(allowed, raw)) {
            return true;
        }
        return !any(denied, raw) && !any(DEFAULT_DENIED, raw);
    }

    /** The address to check: the embedded IPv4 address when there is one, else the address itself. */
    static byte[] effective(byte[] raw) {
        if (raw.length != 16) {
            return raw;
        }
        // ::ffff:a.b.c.d (mapped) and ::a.b.c.d (compatible, deprecated by RFC 4291 §2.5.5.1)
        if (zero(raw, 0, 10) && ((raw[10] == (byte) 0xFF && raw[11] == (byte) 0xFF) || (raw[10] == 0 && raw[11] == 0))) {
            if (raw[10] == 0 && zero(raw, 12, 4)) {
                return raw; // :: itself
            }
            if (raw[10] == 0 && zero(raw, 12, 3) && raw[15] == 1) {
                return raw; // ::1 is loopback, not 0.0.0.1
            }
            return slice(raw, 12);
        }
        // 64:ff9b::/96, RFC 6052 well-known NAT64 prefix
        if (raw[0] == 0 && raw[1] == 0x64 && raw[2] == (byte) 0xFF && raw[3] == (byte) 0x9B && zero(raw, 4, 8)) {
            return slice(raw, 12);
        }
        // 64:ff9b:1::/48, RFC 8215 local-use NAT64; the IPv4 address sits in the last 32 bits
        if (raw[0] == 0 && raw[1] == 0x64 && raw[2] == (byte) 0xFF && raw[3] == (byte) 0x9B
                && raw[4] == 0 && raw[5] == 1) {
            return slice(raw, 12);
        }
        // 2002::/16, RFC 3056 6to4: IPv4 in bits 16-47
        if (raw[0] == 0x20 && raw[1] == 0x02) {
            return slice(raw, 2);
        }
        // 2001:0000::/32, RFC 4380 Teredo: the client's IPv4 address, inverted, in the last 32 bits
        if (raw[0] == 0x20 && raw[1] == 0x01 && raw[2] == 0 && raw[3] == 0) {
            byte[] v4 = slice(raw, 12);
            for (int i = 0; i < 4; i++) {
                v4[i] = (byte) ~v4[i];
            }
            return v4;
        }
        return raw;
    }

    private static boolean any(List<AddressRange> ranges, byte[] raw) {
        for (AddressRange r : ranges) {
            if (r.contains(raw)) {
                return true;
            }
        }
        return false;
    }

    private static boolean zero(byte[] b, int from, int n) {
        for (int i = from; i < from + n; i++) {
            if (b[i] != 0) {
                return false;
            }
        }
        return true;
    }

    private static byte[] slice(byte[] raw, int from) {
        return java.util.Arrays.copyOfRange(raw, from, from + 4);
    }
}
