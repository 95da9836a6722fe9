package org.parley.turn;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.net.InetAddress;
import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class PeerAddressPolicyTest {
    private final PeerAddressPolicy secure = new PeerAddressPolicy(List.of(), List.of(), false);

    @ParameterizedTest(name = "{0} allowed={1}")
    @CsvSource({
        // ordinary public peers
        "203.0.113.10, true", "2a00:1450:4001:80b::200e, true", "10.1.2.3, true", "192.168.1.5, true",
        // loopback, unspecified, link-local, unique-local, multicast, broadcast
        "127.0.0.1, false", "127.9.9.9, false", "::1, false", "0.0.0.0, false", "0.1.2.3, false", "::, false",
        "169.254.1.1, false", "fe80::1, false", "fc00::1, false", "fd00::2, false", "224.0.0.1, false",
        "239.255.255.250, false", "ff02::1, false", "255.255.255.255, false",
        // IPv4 hidden in IPv6: mapped, compatible, NAT64 (well-known and local-use), 6to4, Teredo
        "::ffff:127.0.0.1, false", "::ffff:169.254.169.254, false", "::127.0.0.1, false",
        "64:ff9b::7f00:1, false", "64:ff9b::a9fe:a9fe, false", "64:ff9b:1::7f00:1, false",
        "2002:7f00:0001::1, false", "2002:a9fe:a9fe::1, false", "2001:0:4136:e378:8000:63bf:80ff:fffe, false",
        "::ffff:203.0.113.10, true", "64:ff9b::cb00:710a, true", "2002:cb00:710a::1, true"
    })
    void deniesWhatMustNotBeReachedByDefault(String address, boolean allowed) throws Exception {
        assertEquals(allowed, secure.isAllowed(InetAddress.getByName(address)));
    }

    @ParameterizedTest(name = "{0} allowed={1}")
    @CsvSource({
        "10.0.0.1, false", "10.255.255.255, false", "192.168.3.3, false", "172.16.0.1, true",
        "fd12::5, true", "fd13::5, false", "127.0.0.1, true", "::ffff:127.0.0.1, true", "::ffff:10.0.0.1, false",
        "224.0.0.1, false", "0.0.0.0, false", "192.168.9.1, true"
    })
    void operatorListsAndLoopbackSwitch(String address, boolean allowed) throws Exception {
        PeerAddressPolicy p = new PeerAddressPolicy(List.of("fd12::/16", "192.168.9.0-192.168.9.255"),
                List.of("10.0.0.0/8", "192.168.0.0/16"), true);
        assertEquals(allowed, p.isAllowed(InetAddress.getByName(address)));
    }
}
