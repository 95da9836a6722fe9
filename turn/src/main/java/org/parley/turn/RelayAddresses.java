package org.parley.turn;

import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.NetworkInterface;
import java.net.SocketException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
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
        this(config, RelayAddresses::interfaceAddresses);
    }

    /** {@code host}: this host's addresses (loopback and link-local left out), injectable for tests. */
    RelayAddresses(TurnConfig config, java.util.function.Supplier<List<InetAddress>> host) {
        InetAddress v4 = null;
        InetAddress v6 = null;
        List<InetAddress> local = host.get();
        var candidates = config.relayIps().isEmpty() ? config.listeningIps() : config.relayIps();
        for (String literal : candidates) {
            InetAddress a = TurnConfig.ip(literal);
            if (a.isAnyLocalAddress()) {
                boolean wantV6 = a instanceof Inet6Address;
                List<InetAddress> family = local.stream().filter(h -> (h instanceof Inet6Address) == wantV6).toList();
                if (family.isEmpty()) {
                    continue;
                }
                a = family.get(0);
                String choice = "parley.turn.relay-ip is not set and listening-ip is a wildcard; relaying on "
                        + a.getHostAddress();
                if (family.size() > 1) {
                    // the first of several is a guess the operator has to confirm
                    LOG.warn("{} of {}. Set parley.turn.relay-ip (and external-ip behind NAT).", choice,
                            family.stream().map(InetAddress::getHostAddress).toList());
                } else {
                    LOG.info("{}, this host's only address. Behind NAT set parley.turn.external-ip.", choice);
                }
            } else if (!config.relayIps().isEmpty() && !a.isLoopbackAddress() && !local.contains(a)) {
                // RFC 8656 §7.2: the relayed address is the server's; one it does not have cannot be bound.
                LOG.warn("parley.turn.relay-ip {} is not an address of this host ({}), so relayed sockets cannot bind it;"
                        + " behind NAT set relay-ip to the private address and external-ip = \"{}/PRIVATE\"",
                        a.getHostAddress(), local.stream().map(InetAddress::getHostAddress).toList(), a.getHostAddress());
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
                InetAddress privateSide = TurnConfig.ip(e.substring(slash + 1));
                external.put(privateSide, TurnConfig.ip(e.substring(0, slash)));
                if (!privateSide.equals(v4) && !privateSide.equals(v6)) {
                    LOG.warn("parley.turn.external-ip {} never applies: relayed sockets bind {}, not {}; name as"
                            + " PRIVATE the relay-ip your NAT forwards to", e,
                            java.util.stream.Stream.of(v4, v6).filter(java.util.Objects::nonNull)
                                    .map(InetAddress::getHostAddress).toList(), privateSide.getHostAddress());
                }
            }
        }
    }

    /** The public address clients are told for IPv4 relayed sockets; empty when none is set. */
    java.util.Optional<InetAddress> publicIpv4() {
        if (ipv4 == null) {
            return java.util.Optional.empty();
        }
        InetAddress told = advertised(new InetSocketAddress(ipv4, 0)).getAddress();
        return told.equals(ipv4) ? java.util.Optional.empty() : java.util.Optional.of(told);
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

    private static List<InetAddress> interfaceAddresses() {
        List<InetAddress> out = new ArrayList<>();
        try {
            for (NetworkInterface nif : Collections.list(NetworkInterface.getNetworkInterfaces())) {
                if (!nif.isUp() || nif.isLoopback()) {
                    continue;
                }
                for (InetAddress a : Collections.list(nif.getInetAddresses())) {
                    if (!a.isLinkLocalAddress() && !a.isLoopbackAddress()) {
                        out.add(a);
                    }
                }
            }
        } catch (SocketException e) {
            LOG.warn("cannot list network interfaces: {}", e.toString());
        }
        return out;
    }
}
