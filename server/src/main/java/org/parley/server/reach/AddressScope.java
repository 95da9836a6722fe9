package org.parley.server.reach;

import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;

/**
 * Whether an address can be reached from the internet at large. Private (RFC 1918), shared
 * carrier-grade NAT (RFC 6598), loopback, link-local and unique-local IPv6 (RFC 4193) addresses
 * cannot; everything else counts as public, documentation ranges included (tests stand them in for
 * public addresses, and a host configured with one is configured like a public one).
 */
public final class AddressScope {

    private AddressScope() {
    }

    public static boolean isPublic(InetAddress a) {
        if (a.isAnyLocalAddress() || a.isLoopbackAddress() || a.isLinkLocalAddress() || a.isSiteLocalAddress()
                || a.isMulticastAddress()) {
            return false;
        }
        byte[] b = a.getAddress();
        if (a instanceof Inet4Address) {
            // 100.64.0.0/10: shared address space behind a carrier's NAT (RFC 6598 section 7)
            return !((b[0] & 0xff) == 100 && (b[1] & 0xc0) == 64);
        }
        // fc00::/7: unique local addresses (RFC 4193 section 3.1)
        return !(a instanceof Inet6Address && (b[0] & 0xfe) == 0xfc);
    }
}
