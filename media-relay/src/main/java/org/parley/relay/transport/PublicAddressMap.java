package org.parley.relay.transport;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * The public addresses of a relay behind a static (1:1) NAT, as Jitsi Videobridge's static
 * mappings: each entry is "PUBLIC/LOCAL" (host candidates at LOCAL are also announced at PUBLIC)
 * or "PUBLIC" (every host candidate of PUBLIC's family, for a host with one address). The public
 * twin is a server-reflexive candidate with the host candidate's port (RFC 8445 section 5.1.1.2):
 * the NAT forwards the same port. Host candidates stay, so clients on the relay's own network
 * keep their direct path.
 */
public final class PublicAddressMap {

    /** One entry: the announced address and the local address it stands for (empty: every one). */
    public record Mapping(InetAddress publicAddress, Optional<InetAddress> local) {

        boolean appliesTo(InetAddress host) {
            return local.map(host::equals)
                    .orElse(host.getAddress().length == publicAddress.getAddress().length);
        }

        @Override
        public String toString() {
            return publicAddress.getHostAddress() + local.map(l -> "/" + l.getHostAddress()).orElse("");
        }
    }

    private final List<Mapping> mappings;

    private PublicAddressMap(List<Mapping> mappings) {
        this.mappings = List.copyOf(mappings);
    }

    /** Parses entries already checked by {@link #problem(String)}. */
    public static PublicAddressMap parse(List<String> entries) {
        List<Mapping> out = new ArrayList<>();
        for (String e : entries) {
            int slash = e.indexOf('/');
            out.add(slash < 0 ? new Mapping(literal(e), Optional.empty())
                    : new Mapping(literal(e.substring(0, slash)), Optional.of(literal(e.substring(slash + 1)))));
        }
        return new PublicAddressMap(out);
    }

    /** What is wrong with one entry, for the configuration error; empty when it is fine. */
    public static Optional<String> problem(String entry) {
        String[] parts = entry.split("/", -1);
        if (parts.length > 2) {
            return Optional.of("expects \"PUBLIC\" or \"PUBLIC/LOCAL\", got " + entry);
        }
        for (String p : parts) {
            if (!isLiteral(p) || !parses(p)) {
                return Optional.of("expects \"PUBLIC\" or \"PUBLIC/LOCAL\" IP addresses, got " + entry);
            }
            if (literal(p).isAnyLocalAddress()) {
                return Optional.of("a wildcard address cannot be announced or mapped, got " + entry);
            }
        }
        if (parts.length == 2 && literal(parts[0]).getAddress().length != literal(parts[1]).getAddress().length) {
            return Optional.of("PUBLIC and LOCAL must be of one family (IPv4 or IPv6), got " + entry);
        }
        return Optional.empty();
    }

    public List<Mapping> mappings() {
        return mappings;
    }

    /** The public addresses to announce for a host candidate at {@code host}, never {@code host} itself. */
    public List<InetAddress> publicFor(InetAddress host) {
        return mappings.stream().filter(m -> m.appliesTo(host)).map(Mapping::publicAddress)
                .filter(p -> !p.equals(host)).distinct().toList();
    }

    static boolean isLiteral(String ip) {
        return IceCandidates.isIpLiteral(ip);
    }

    private static boolean parses(String ip) {
        try {
            InetAddress.getByName(ip);
            return true;
        } catch (UnknownHostException e) {
            return false;
        }
    }

    private static InetAddress literal(String ip) {
        try {
            return InetAddress.getByName(ip);
        } catch (UnknownHostException e) {
            throw new IllegalArgumentException("not an IP address: " + ip, e);
        }
    }
}
