package org.parley.turn;

import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.NetworkInterface;
import java.net.SocketException;
import java.util.Collections;
import java.util.HashMap;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Where relayed sockets bind (relay-ip, one per family) and which address clients are told
 * (external-ip, for a server behind 1:1 NAT; RFC 8656 §3.7 leaves the choice to the server).
 */
final class RelayAddresses {
    private static final Logger LOG = LoggerFactory.getLogger(RelayAddresses.class);

    private final InetAddress ipv4;
    private final InetAddress ipv6;
    private final Map<InetAddress, InetAddress> external = new HashMap<>();
    private InetAddress externalForAll;

    RelayAddresses(TurnConfig config) {
        InetAddress v4 = null;
        InetAddress v6 = null;
        var candidates = config.relayIps().isEmpty() ? config.listeningIps() : config.relayIps();
        for (String literal : candidates) {
            InetAddress a = TurnConfig.ip(literal);
            if (a.isAnyLocalAddress()) {
                a = firstLocal(a instanceof Inet6Address);
                if (a == null) {
                    continue;
                }
                LOG.warn("parley.turn.relay-ip is not set and listening-ip is a wildcard; relaying on {}. "
                        + "Set parley.turn.relay-ip (and external-ip behind NAT).", a.getHostAddress());
            }
            if (a instanceof Inet4Address && v4 == null) {
                v4 = a;
            } else if (a instanceof Inet6Address && v6 == null) {
                v6 = a;
            }
        }
        this.ipv4 = v4;
        this.ipv6 = v6;
        for (String e : config.externalIps()) {
            int slash = e.indexOf('/');
            if (slash < 0) {
                externalForAll = TurnConfig.ip(e);
            } else {
                external.put(TurnConfig.ip(e.substring(slash + 1)), TurnConfig.ip(e.substring(0, slash)));
            }
        }
    }

    /** The relay address for a family, or null when this server has none (then 440). */
    InetAddress forFamily(boolean ipv6Family) {
        return ipv6Family ? ipv6 : ipv4;
    }

    /** The address to advertise for a socket bound at {@code bound}. */
    InetSocketAddress advertised(InetSocketAddress bound) {
        InetAddress mapped = external.get(bound.getAddress());
        if (mapped == null && externalForAll != null
                && externalForAll.getAddress().length == bound.getAddress().getAddress().length) {
            mapped = externalForAll;
        }
        return mapped == null ? bound : new InetSocketAddress(mapped, bound.getPort());
    }

    private static InetAddress firstLocal(boolean v6) {
        try {
            for (NetworkInterface nif : Collections.list(NetworkInterface.getNetworkInterfaces())) {
                if (!nif.isUp() || nif.isLoopback()) {
                    continue;
                }
                for (InetAddress a : Collections.list(nif.getInetAddresses())) {
                    if ((a instanceof Inet6Address) == v6 && !a.isLinkLocalAddress() && !a.isLoopbackAddress()) {
                        return a;
                    }
                }
            }
        } catch (SocketException e) {
            LOG.warn("cannot list network interfaces: {}", e.toString());
        }
        return null;
    }
}
