package org.parley.server.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netty.util.NetUtil;
import java.net.InetAddress;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.parley.turn.AddressRange;

/** Who the client is behind trusted proxies, from X-Forwarded-For as proxies really write it. */
class TrustedProxiesTest {

    private final TrustedProxies proxies = new TrustedProxies(List.of(AddressRange.parse("127.0.0.1"),
            AddressRange.parse("10.0.0.0/8"), AddressRange.parse("2001:db8:ffff::/48")));

    private static InetAddress ip(String s) {
        return NetUtil.createInetAddressFromIpAddressString(s);
    }

    @ParameterizedTest(name = "[{0}] -> {1}")
    @CsvSource(delimiter = '|', value = {
        // nginx's $proxy_add_x_forwarded_for: what the client sent, then the client's address
        "203.0.113.7                          | 203.0.113.7",
        "198.51.100.9, 203.0.113.7            | 203.0.113.7",
        // a second trusted proxy (10.1.2.3) between the client and the first
        "203.0.113.7, 10.1.2.3                | 203.0.113.7",
        "203.0.113.7,10.1.2.3,10.9.9.9        | 203.0.113.7",
        "2001:db8::5, 2001:db8:ffff::1        | 2001:db8::5",
        "[2001:db8::5]                        | 2001:db8::5",
        // every hop trusted: the leftmost is as far as the chain goes
        "10.1.2.3, 10.4.5.6                   | 10.1.2.3",
        // text where an address should be: the hop that wrote it (trusted) is the last one known
        "unknown, 10.1.2.3                    | 10.1.2.3",
        "203.0.113.7:5555                     | 127.0.0.1",
        "''                                   | 127.0.0.1"})
    void theClientIsTheRightmostUntrustedHop(String header, String client) {
        assertEquals(ip(client), proxies.client(ip("127.0.0.1"), List.of(header)));
    }

    @Test
    void severalHeaderLinesAreOneList() {
        assertEquals(ip("203.0.113.7"), proxies.client(ip("127.0.0.1"),
                Arrays.asList("198.51.100.9", "203.0.113.7, 10.1.2.3")));
        assertEquals(ip("127.0.0.1"), proxies.client(ip("127.0.0.1"), List.of()), "no header: the proxy itself");
    }

    @Test
    void onlyConfiguredPeersAreTrusted() {
        assertTrue(proxies.trusts(ip("10.200.0.1")));
        assertTrue(proxies.trusts(ip("2001:db8:ffff:1::1")));
        assertFalse(proxies.trusts(ip("127.0.0.2")));
        assertFalse(proxies.trusts(ip("2001:db8::1")));
        assertTrue(new TrustedProxies(List.of()).isEmpty());
    }
}
