package org.parley.server.http;

import io.netty.util.NetUtil;
import java.net.InetAddress;
import java.util.List;
import org.parley.turn.AddressRange;

/**
 * The reverse proxies an operator trusts to say who the client is, and how their
 * X-Forwarded-For header is read. Each proxy appends the address it received the request from,
 * so the list grows left to right towards this server; only the entries appended by trusted hops
 * are believed. The client is therefore the rightmost entry that is not a trusted proxy: anything
 * further left was written by the client itself or by proxies nobody vouches for (the rule of
 * RFC 7239 §7.5 for the standard Forwarded header, which the de facto header shares).
 */
final class TrustedProxies {

    private final List<AddressRange> ranges;

    TrustedProxies(List<AddressRange> ranges) {
        this.ranges = List.copyOf(ranges);
    }

    boolean isEmpty() {
        return ranges.isEmpty();
    }

    boolean trusts(InetAddress peer) {
        for (AddressRange r : ranges) {
            if (r.contains(peer)) {
                return true;
            }
        }
        return false;
    }

    /**
     * The client behind {@code proxy} (a trusted peer) according to the X-Forwarded-For header
     * lines {@code forwardedFor}; {@code proxy} itself when the header is absent or names only
     * trusted hops. An entry that is not an IP literal stops the walk at the hop that wrote it.
     */
    InetAddress client(InetAddress proxy, List<String> forwardedFor) {
        InetAddress client = proxy;
        for (int line = forwardedFor.size() - 1; line >= 0; line--) {
            String[] entries = forwardedFor.get(line).split(",");
            for (int i = entries.length - 1; i >= 0; i--) {
                InetAddress hop = NetUtil.createInetAddressFromIpAddressString(bare(entries[i].trim()));
                if (hop == null) {
                    return client;
                }
                client = hop;
                if (!trusts(hop)) {
                    return client;
                }
            }
        }
        return client;
    }

    /** An entry without brackets around IPv6 ({@code [2001:db8::1]}), as some proxies write it. */
    private static String bare(String entry) {
        return entry.startsWith("[") && entry.endsWith("]") ? entry.substring(1, entry.length() - 1) : entry;
    }
}
