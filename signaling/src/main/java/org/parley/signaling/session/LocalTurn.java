package org.parley.signaling.session;

import java.util.ArrayList;
import java.util.List;
import java.util.OptionalInt;

/**
 * The STUN/TURN server running in this process, as {@code welcome} advertises it when the operator
 * configured no ICE URLs: the ports it actually listens on, and {@code turns:} when it has TLS
 * (RFC 7065 URI schemes; RFC 8656 §3.1 TLS over TCP).
 *
 * @param port the UDP and TCP port
 * @param tlsPort the TLS port, empty without TLS
 */
public record LocalTurn(int port, OptionalInt tlsPort) {

    List<String> stunUrls() {
        return List.of("stun:" + IceServers.HOST + ":" + port);
    }

    List<String> turnUrls() {
        List<String> urls = new ArrayList<>(List.of(
                "turn:" + IceServers.HOST + ":" + port + "?transport=udp",
                "turn:" + IceServers.HOST + ":" + port + "?transport=tcp"));
        tlsPort.ifPresent(tls -> urls.add("turns:" + IceServers.HOST + ":" + tls + "?transport=tcp"));
        return List.copyOf(urls);
    }
}
