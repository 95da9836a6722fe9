package org.parley.server.reach;

import java.net.InetAddress;
import java.net.NetworkInterface;
import java.net.SocketException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/** The addresses of this host's interfaces that are up, loopback left out: what a wildcard bind serves. */
@FunctionalInterface
public interface HostAddresses {

    List<InetAddress> current();

    /** The interfaces as the operating system reports them now. */
    static HostAddresses system() {
        return () -> {
            List<InetAddress> out = new ArrayList<>();
            try {
                for (NetworkInterface nif : Collections.list(NetworkInterface.getNetworkInterfaces())) {
                    if (nif.isUp() && !nif.isLoopback()) {
                        Collections.list(nif.getInetAddresses()).stream()
                                .filter(a -> !a.isLoopbackAddress() && !a.isLinkLocalAddress())
                                .forEach(out::add);
                    }
                }
            } catch (SocketException e) {
                // no list, no public address known: start-up goes on, as it would on an offline host
            }
            return out;
        };
    }
}
