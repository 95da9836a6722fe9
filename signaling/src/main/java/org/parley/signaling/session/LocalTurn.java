package org.parley.signaling.session;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.OptionalInt;

/**
 * The STUN/TURN server running in this process, as {@code welcome} advertises it when the operator
 * configured no ICE URLs: the ports it actually listens on, and {@code turns:} when it has TLS
 * (RFC 7065 URI schemes; RFC 8656 §3.1 TLS over TCP). Behind NAT its public address (TURN's
 * external-ip) is where clients reach it, whatever host name they reached the web page by (a
 * reverse proxy may stand elsewhere); {@code turns:} keeps that host name, which its certificate
 * names.
 *
 * @param port the UDP and TCP port
 * @param tlsPort the TLS port, empty without TLS
 * @param publicAddress the public IPv4 address of a TURN server behind NAT; empty: the host name
 */
public record LocalTurn(int port, OptionalInt tlsPort, Optional<String> publicAddress) {

    public LocalTurn(int port, OptionalInt tlsPort) {
        this(port, tlsPort, Optional.empty());
    }

    List<String> stunUrls() {
        return List.of("stun:" + host() + ":" + port);
    }

    List<String> turnUrls() {
        List<String> urls = new ArrayList<>(List.of(
                "turn:" + host() + ":" + port + "?transport=udp",
                "turn:" + host() + ":" + port + "?transport=tcp"));
        tlsPort.ifPresent(tls -> urls.add("turns:" + IceServers.HOST + ":" + tls + "?transport=tcp"));
        return List.copyOf(urls);
    }

    private String host() {
        return publicAddress.orElse(IceServers.HOST);
    }
}
