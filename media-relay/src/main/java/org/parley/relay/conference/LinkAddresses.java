package org.parley.relay.conference;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import org.parley.relay.control.RelayException;

/** Reads a peer relay's link address, "ip:port" or "[ipv6]:port": literal addresses only, no DNS. */
final class LinkAddresses {

    private LinkAddresses() {
    }

    static InetSocketAddress parse(String s) {
        if (s == null) {
            throw bad(s);
        }
        int colon = s.lastIndexOf(':');
        if (colon <= 0) {
            throw bad(s);
        }
        String host = s.substring(0, colon);
        if (host.startsWith("[") && host.endsWith("]")) {
            host = host.substring(1, host.length() - 1);
        }
        if (!host.matches("[0-9.]+|[0-9a-fA-F:]+")) {
            throw bad(s);
        }
        try {
            int port = Integer.parseInt(s.substring(colon + 1));
            if (port < 1 || port > 65535) {
                throw bad(s);
            }
            return new InetSocketAddress(InetAddress.getByName(host), port);
        } catch (NumberFormatException | UnknownHostException e) {
            throw bad(s);
        }
    }

    private static RelayException bad(String s) {
        return new RelayException(RelayException.Reason.WRONG_STATE,
                "peer link address must be ip:port, got " + s);
    }
}
