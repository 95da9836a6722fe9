package org.parley.server.reach;

import java.net.InetAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.parley.server.config.ServerConfig;

/**
 * The start-up warning an operator must act on: a server that is public (HTTPS, a public address
 * announced by one part, a public listener) whose relay or TURN server has only private addresses
 * and announces no public one. Clients elsewhere would sign in and then get no media. A server that
 * is not public (the embedded loopback or LAN default) gets no warning.
 */
public final class PrivateOnlyWarning {

    private PrivateOnlyWarning() {
    }

    public static List<String> warnings(ServerConfig config, boolean https, HostAddresses host) {
        List<String> because = new ArrayList<>();
        if (https) {
            because.add("HTTPS is configured");
        }
        if (config.relay().enabled()) {
            config.relay().config().advertisedAddresses().stream().flatMap(m -> IpLiteral.publicSide(m).stream())
                    .filter(AddressScope::isPublic).findFirst()
                    .ifPresent(a -> because.add("the relay announces " + a.getHostAddress()));
        }
        if (config.turn().enabled()) {
            config.turn().config().externalIps().stream().flatMap(m -> IpLiteral.publicSide(m).stream())
                    .filter(AddressScope::isPublic).findFirst()
                    .ifPresent(a -> because.add("TURN announces " + a.getHostAddress()));
        }
        IpLiteral.parse(config.http().host()).filter(AddressScope::isPublic)
                .ifPresent(a -> because.add("parley.http.host is " + a.getHostAddress()));
        if (because.isEmpty()) {
            return List.of();
        }
        String why = " while this server is public (" + String.join(", ", because) + "): clients outside this"
                + " network will sign in and get no media";
        List<String> out = new ArrayList<>();
        if (config.relay().enabled() && config.relay().config().advertisedAddresses().isEmpty()) {
            privateOnly(List.of(config.relay().config().bindAddress()), host).ifPresent(p -> out.add(
                    "the relay has only private addresses " + p + " and announces no public one" + why
                            + "; set parley.relay.advertised-addresses = [\"PUBLIC/" + p.get(0) + "\"]"));
        }
        if (config.turn().enabled() && config.turn().config().externalIps().isEmpty()) {
            List<String> relayIps = config.turn().config().relayIps().isEmpty() ? config.turn().config().listeningIps()
                    : config.turn().config().relayIps();
            privateOnly(relayIps, host).ifPresent(p -> out.add(
                    "TURN relays on private addresses " + p + " only and announces no public one" + why
                            + "; set parley.turn.external-ip = \"PUBLIC/" + p.get(0) + "\""));
        }
        return out;
    }

    /** The addresses a listener on {@code configured} serves, when every one of them is private. */
    private static Optional<List<String>> privateOnly(List<String> configured, HostAddresses host) {
        List<InetAddress> serves = new ArrayList<>();
        for (String text : configured) {
            Optional<InetAddress> a = IpLiteral.parse(text);
            if (a.isEmpty()) {
                return Optional.empty();
            }
            if (a.get().isAnyLocalAddress()) {
                boolean v4Only = a.get().getAddress().length == 4;
                host.current().stream().filter(h -> !v4Only || h.getAddress().length == 4).forEach(serves::add);
            } else {
                serves.add(a.get());
            }
        }
        // only loopback: a one-host trial, nothing to announce
        serves.removeIf(InetAddress::isLoopbackAddress);
        if (serves.isEmpty() || serves.stream().anyMatch(AddressScope::isPublic)) {
            return Optional.empty();
        }
        return Optional.of(serves.stream().map(InetAddress::getHostAddress).distinct().toList());
    }
}
