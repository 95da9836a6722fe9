package org.parley.server.reach;

import java.net.InetAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.parley.server.config.ServerConfig;

/**
 * Whether this configuration serves the public: a listener on a public address (or on a wildcard
 * on a host that has one), a public address announced to clients (relay candidates, TURN relayed
 * addresses), or HTTPS, which only a server meant for other hosts needs (browsers treat
 * http://localhost as secure). Demo sign-in links are never printed by such a server.
 */
public final class Exposure {

    private Exposure() {
    }

    /** Why the configuration is public, one phrase a reason; empty when it serves loopback or private networks only. */
    public static List<String> publicReasons(ServerConfig config, boolean https, HostAddresses host) {
        List<String> reasons = new ArrayList<>();
        if (https) {
            reasons.add("HTTPS is configured (parley.http.tls.certificate)");
        }
        listening(reasons, "parley.http.host", config.http().host(), host);
        if (config.relay().enabled()) {
            listening(reasons, "parley.relay.bind-address", config.relay().config().bindAddress(), host);
            for (String mapping : config.relay().config().advertisedAddresses()) {
                announced(reasons, "parley.relay.advertised-addresses", mapping);
            }
        }
        if (config.turn().enabled()) {
            for (String ip : config.turn().config().listeningIps()) {
                listening(reasons, "parley.turn.listening-ip", ip, host);
            }
            for (String mapping : config.turn().config().externalIps()) {
                announced(reasons, "parley.turn.external-ip", mapping);
            }
        }
        return reasons.stream().distinct().toList();
    }

    private static void listening(List<String> reasons, String key, String address, HostAddresses host) {
        Optional<InetAddress> a = IpLiteral.parse(address);
        if (a.isEmpty()) {
            if (!"localhost".equalsIgnoreCase(address)) {
                // a host name: it resolves to whatever DNS says, so assume the world can reach it
                reasons.add(key + " " + address + " is a host name");
            }
            return;
        }
        if (a.get().isAnyLocalAddress()) {
            boolean v4Only = a.get().getAddress().length == 4;
            host.current().stream()
                    .filter(h -> !v4Only || h.getAddress().length == 4)
                    .filter(AddressScope::isPublic)
                    .findFirst()
                    .ifPresent(p -> reasons.add(key + " " + address + " listens on this host's public address "
                            + p.getHostAddress()));
        } else if (AddressScope.isPublic(a.get())) {
            reasons.add(key + " " + address + " is a public address");
        }
    }

    /** A mapping is "PUBLIC" or "PUBLIC/LOCAL"; only a public PUBLIC side makes the server public. */
    private static void announced(List<String> reasons, String key, String mapping) {
        IpLiteral.publicSide(mapping).filter(AddressScope::isPublic).ifPresent(p -> reasons.add(
                key + " announces the public address " + p.getHostAddress()));
    }
}
