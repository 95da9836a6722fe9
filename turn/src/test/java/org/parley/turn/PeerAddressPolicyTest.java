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
        "1.1.1.1, true", "2a00:1450:4001:80b::200e, true", "100.63.255.255, true", "100.128.0.0, true",
        "172.15.255.255, true", "172.32.0.0, true", "198.17.255.255, true", "198.20.0.0, true",
        // private, CGNAT, special, documentation and benchmarking ranges (not global unicast)
        "10.1.2.3, false", "172.16.0.1, false", "192.168.1.5, false", "100.64.0.1, false", "192.0.0.9, false",
        "192.0.2.1, false", "198.18.0.1, false", "198.51.100.1, false", "203.0.113.10, false",
        "2001:db8::1, false", "3fff::1, false", "100::1, false", "4000::1, false",
        // loopback, unspecified, link-local, unique-local, multicast, broadcast
        "127.0.0.1, false", "127.9.9.9, false", "::1, false", "0.0.0.0, false", "0.1.2.3, false", "::, false",
        "169.254.1.1, false", "fe80::1, false", "fc00::1, false", "fd00::2, false", "224.0.0.1, false",
        "239.255.255.250, false", "ff02::1, false", "255.255.255.255, false", "240.0.0.1, false",
        // IPv4 hidden in IPv6: mapped, SIIT, compatible, NAT64 (well-known and local-use), 6to4, Teredo
        "::ffff:127.0.0.1, false", "::ffff:169.254.169.254, false", "::127.0.0.1, false", "::ffff:0:7f00:1, false",
        "::ffff:0:808:808, false", "64:ff9b::7f00:1, false", "64:ff9b::a9fe:a9fe, false", "64:ff9b:1::7f00:1, false",
        "64:ff9b::808:808, false", "2002:7f00:0001::1, false", "2002:a9fe:a9fe::1, false", "2002:0a00:0001::1, false",
        "2001:0:4136:e378:8000:63bf:80ff:fffe, false", "2001:0:4136:e378:8000:63bf:f5ff:fffe, false",
        // the JDK reads ::ffff:a.b.c.d as IPv4; 6to4 and Teredo carrying a global address pass
        "::ffff:1.1.1.1, true", "2002:0101:0101::1, true", "2001:0:4136:e378:8000:63bf:fefe:fefe, true"
    })
    void deniesWhatMustNotBeReachedByDefault(String address, boolean allowed) throws Exception {
        assertEquals(allowed, secure.isAllowed(InetAddress.getByName(address)));
    }

    @ParameterizedTest(name = "{0} allowed={1}")
    @CsvSource({
        "10.0.0.1, false", "10.255.255.255, false", "192.168.3.3, false", "172.16.0.1, true",
        "fd12::5, true", "fd13::5, false", "127.0.0.1, true", "::ffff:127.0.0.1, true", "::ffff:10.0.0.1, false",
        "224.0.0.1, false", "0.0.0.0, false", "192.168.9.1, true", "8.8.8.8, false", "8.8.4.4, true",
        // an allowed NAT64 prefix still checks the address it carries
        "64:ff9b::ac10:1, true", "64:ff9b::a00:1, false", "64:ff9b::7f00:1, true", "::ffff:0:7f00:1, false"
    })
    void operatorListsAndLoopbackSwitch(String address, boolean allowed) throws Exception {
        PeerAddressPolicy p = new PeerAddressPolicy(List.of("fd12::/16", "192.168.9.0-192.168.9.255", "172.16.0.0/12",
                "64:ff9b::/96"), List.of("10.0.0.0/8", "192.168.0.0/16", "8.8.8.8"), true);
        assertEquals(allowed, p.isAllowed(InetAddress.getByName(address)));
    }
}
