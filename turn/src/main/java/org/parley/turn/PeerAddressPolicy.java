package org.parley.turn;

import java.net.InetAddress;
import java.util.ArrayList;
import java.util.List;

/**
 * Decides which peers an allocation may talk to (RFC 8656 §21.2.3: a TURN server must not become
 * a door into the networks behind it). By default only global unicast peers pass: every user with
 * credentials from {@code welcome} could otherwise reach the server's internal networks (the class
 * of coturn's CVE-2020-26262).
 *
 * <p>An IPv6 address that carries an IPv4 address ({@link EmbeddedIpv4}) passes only when both the
 * IPv6 address and the IPv4 address pass: checking only the IPv6 form let {@code ::ffff:127.0.0.1}
 * reach loopback (CVE-2020-26262, CVE-2026-27624), and {@code ::ffff:0:7f00:1} (SIIT) likewise.
 *
 * <p>Order for each form: unspecified, multicast and broadcast are always denied; loopback only
 * with {@code allow-loopback-peers} and not in {@code denied-peer-ip} (so an operator can still
 * deny part of it); otherwise {@code allowed-peer-ip} allows, {@code denied-peer-ip} denies, and
 * the default denials ({@link #NOT_GLOBAL}) deny.
 */
final class PeerAddressPolicy {
    private static final List<AddressRange> ALWAYS_DENIED = ranges(
            "0.0.0.0/8", "::/128", "224.0.0.0/4", "ff00::/8", "255.255.255.255");
    private static final List<AddressRange> LOOPBACK = ranges("127.0.0.0/8", "::1/128");
    /**
     * Everything that is not global unicast (IANA IPv4 and IPv6 Special-Purpose Address Registries,
     * RFC 6890), deniable away per range with {@code allowed-peer-ip}.
     */
    static final List<String> NOT_GLOBAL_TEXT = List.of(
            // RFC 1918 private, RFC 6598 shared (CGNAT), RFC 3927 link-local
            "10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16", "100.64.0.0/10", "169.254.0.0/16",
            // RFC 6890 IETF protocol assignments, RFC 5737 documentation, RFC 2544 benchmarking
            "192.0.0.0/24", "192.0.2.0/24", "198.51.100.0/24", "203.0.113.0/24", "198.18.0.0/15",
            // RFC 1112 reserved for future use (broadcast is always denied above)
            "240.0.0.0/4",
            // IPv4 inside IPv6: mapped, SIIT translated, compatible, NAT64 well-known and local-use;
            // their embedded address is checked too, so allowing a prefix never exposes 10/8
            "::ffff:0:0/96", "::ffff:0:0:0/96", "::/96", "64:ff9b::/96", "64:ff9b:1::/48",
            // RFC 4193 unique-local, RFC 4291 link-local, RFC 6666 discard, RFC 3849 and RFC 9637
            // documentation
            "fc00::/7", "fe80::/10", "100::/64", "2001:db8::/32", "3fff::/20",
            // RFC 4291 §2.4: global unicast is allocated from 2000::/3 only; the rest is not routable
            "::-1fff:ffff:ffff:ffff:ffff:ffff:ffff:ffff", "4000::-feff:ffff:ffff:ffff:ffff:ffff:ffff:ffff");
    private static final List<AddressRange> NOT_GLOBAL = NOT_GLOBAL_TEXT.stream().map(AddressRange::parse).toList();

    private final List<String> allowedText;
    private final List<String> deniedText;
    private final List<AddressRange> allowed;
    private final List<AddressRange> denied;
    private final boolean allowLoopback;

    PeerAddressPolicy(List<String> allowed, List<String> denied, boolean allowLoopback) {
        this.allowedText = List.copyOf(allowed);
        this.deniedText = List.copyOf(denied);
        this.allowed = allowed.stream().map(AddressRange::parse).toList();
        this.denied = denied.stream().map(AddressRange::parse).toList();
        this.allowLoopback = allowLoopback;
    }

    static PeerAddressPolicy from(TurnConfig config) {
        return new PeerAddressPolicy(config.allowedPeerIps(), config.deniedPeerIps(), config.allowLoopbackPeers());
    }

    boolean isAllowed(InetAddress peer) {
        byte[] raw = peer.getAddress();
        if (!passes(raw)) {
            return false;
        }
        byte[] embedded = EmbeddedIpv4.of(raw);
        return embedded == null || passes(embedded);
    }

    private boolean passes(byte[] raw) {
        if (any(ALWAYS_DENIED, raw)) {
            return false;
        }
        if (any(LOOPBACK, raw)) {
            return allowLoopback && !any(denied, raw);
        }
        if (any(allowed, raw)) {
            return true;
        }
        return !any(denied, raw) && !any(NOT_GLOBAL, raw);
    }

    /**
     * One line for the start-up log: what this server lets peers reach beyond global unicast, and
     * what the operator denied on top.
     */
    String describe() {
        List<String> extra = new ArrayList<>();
        if (!allowedText.isEmpty()) {
            extra.add("allowed-peer-ip " + String.join(", ", allowedText));
        }
        if (allowLoopback) {
            extra.add("loopback (allow-loopback-peers)");
        }
        String line = extra.isEmpty() ? "turn peers: global unicast only, nothing allowed beyond the default"
                : "turn peers: allowed beyond global unicast: " + String.join("; ", extra);
        return deniedText.isEmpty() ? line : line + "; also denied: denied-peer-ip " + String.join(", ", deniedText);
    }

    private static boolean any(List<AddressRange> ranges, byte[] raw) {
        for (AddressRange r : ranges) {
            if (r.contains(raw)) {
                return true;
            }
        }
        return false;
    }

    private static List<AddressRange> ranges(String... text) {
        return List.of(text).stream().map(AddressRange::parse).toList();
    }
}
