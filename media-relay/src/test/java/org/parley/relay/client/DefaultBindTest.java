package org.parley.relay.client;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.Inet4Address;
import java.net.NetworkInterface;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.parley.relay.RelayConfig;
import org.parley.relay.transport.IceHarvesters;

/**
 * The default bind address (0.0.0.0) on a host with nothing but loopback — what the tests'
 * network namespace is, and what a laptop offline or a container without a network looks like:
 * the relay starts (logging a warning) and serves clients on 127.0.0.1.
 */
class DefaultBindTest {

    @Test
    @Timeout(60)
    void wildcardBindOnALoopbackOnlyHostServesOnLoopback() throws Exception {
        assertFalse(hasNonLoopbackIpv4(), "the test JVM must run in the loopback-only network namespace"
                + " (tools/loopback-netns/bin/java); other addresses: " + NetworkInterface.networkInterfaces().toList());
        try (IceHarvesters h = new IceHarvesters("0.0.0.0", 0, 0)) {
            assertTrue(h.loopbackOnly());
            assertTrue(h.udpAddresses().stream().allMatch(a -> a.getAddress().isLoopbackAddress()), h.udpAddresses().toString());
        }
        try (RelayHarness h = new RelayHarness(new RelayConfig("0.0.0.0", 0, 0))) {
            List<String> lines = h.startLines();
            assertTrue(lines.stream().anyMatch(l -> l.startsWith("relay udp 127.0.0.1:")), lines.toString());
            RelayTestClient alice = h.join("alice", true);
            RelayTestClient bob = h.join("bob", false);
            h.await(() -> alice.isPublisherConnected() && bob.isSubscriberConnected(), 15_000,
                    "clients did not connect to the relay on its loopback fallback");
            alice.sendVideoFrame(new byte[] {1, 2, 3});
            assertTrue(bob.poll(5000) != null, "media flows through the relay");
        }
    }

    private static boolean hasNonLoopbackIpv4() throws Exception {
        return NetworkInterface.networkInterfaces().filter(i -> {
            try {
                return i.isUp() && !i.isLoopback();
            } catch (java.net.SocketException e) {
                return false;
            }
        }).flatMap(NetworkInterface::inetAddresses).anyMatch(a -> a instanceof Inet4Address);
    }
}
