package org.parley.relay.transport;

import java.net.InetAddress;
import java.util.ArrayList;
import java.util.List;

/**
 * Start-up warnings about {@code parley.relay.advertised-addresses} that need the operator: only
 * for a mapping that can never apply. Nothing is said when no public address is set.
 */
public final class PublicAddressAdvice {

    private PublicAddressAdvice() {
    }

    /** One sentence per mapping whose LOCAL side is none of the addresses the relay listens on. */
    public static List<String> warnings(PublicAddressMap map, List<InetAddress> listening) {
        List<String> out = new ArrayList<>();
        for (PublicAddressMap.Mapping m : map.mappings()) {
            m.local().filter(local -> !listening.contains(local)).ifPresent(local -> out.add(
                    "parley.relay.advertised-addresses " + m + " never applies: the relay listens on "
                            + listening.stream().map(InetAddress::getHostAddress).toList() + ", not on "
                            + local.getHostAddress() + ", so clients are never told " + m.publicAddress().getHostAddress()
                            + "; name as LOCAL the address your NAT forwards to"));
        }
        return out;
    }
}
