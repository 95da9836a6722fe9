package org.parley.turn;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.parley.turn.stun.ErrorCode;
import org.parley.turn.stun.StunAttribute;
import org.parley.turn.stun.StunClass;
import org.parley.turn.stun.StunMessage;
import org.parley.turn.stun.StunMessageWriter;
import org.parley.turn.stun.StunMethod;

/** IPv6 relaying (RFC 8656 §7.2 REQUESTED-ADDRESS-FAMILY, ADDITIONAL-ADDRESS-FAMILY) on ::1. */
class TurnIpv6Test {
    private TestServers.Running running;

    @AfterEach
    void stop() {
        if (running != null) {
            running.close();
        }
    }

    private TestStunClient dualStackClient(Map<String, Object> overrides) throws Exception {
        Map<String, Object> m = new java.util.HashMap<>(Map.of("parley.turn.listening-ip", List.of("127.0.0.1", "::1")));
        m.putAll(overrides);
        running = TestServers.start(TestServers.config(m), Clock.systemUTC());
        String username = (System.currentTimeMillis() / 1000 + 600) + ":alice";
        return new TestStunClient(running.address("udp", true)).credentials(username,
                RestCredentials.password(TestServers.SECRET.getBytes(StandardCharsets.UTF_8), username));
    }

    private static void family(StunMessageWriter w, int attribute, int family) {
        w.bytes(StunAttribute.REQUESTED_TRANSPORT, new byte[] {17, 0, 0, 0});
        w.bytes(attribute, new byte[] {(byte) family, 0, 0, 0});
    }

    private static List<InetSocketAddress> relayed(StunMessage m) throws Exception {
        List<InetSocketAddress> out = new ArrayList<>();
        for (int i = 0; i < m.attributeCount(); i++) {
            if (m.attributeType(i) == StunAttribute.XOR_RELAYED_ADDRESS) {
                out.add(m.xorAddress(i));
            }
        }
        return out;
    }

    @Test
    void anIpv6AllocationRelaysToAnIpv6Peer() throws Exception {
        try (TestStunClient c = dualStackClient(Map.of());
                DatagramSocket peer = new DatagramSocket(new InetSocketAddress("::1", 0))) {
            peer.setSoTimeout(2000);
            StunMessage ok = c.request(StunMethod.ALLOCATE, w -> family(w, StunAttribute.REQUESTED_ADDRESS_FAMILY, 2));
            assertEquals(StunClass.SUCCESS_RESPONSE, ok.stunClass());
            InetSocketAddress relay = relayed(ok).get(0);
            assertEquals(InetAddress.getByName("::1"), relay.getAddress());

            InetSocketAddress peerAddress = (InetSocketAddress) peer.getLocalSocketAddress();
            StunMessage bound = c.request(StunMethod.CHANNEL_BIND, w -> w
                    .bytes(StunAttribute.CHANNEL_NUMBER, new byte[] {0x40, 0x02, 0, 0})
                    .xorAddress(StunAttribute.XOR_PEER_ADDRESS, peerAddress));
            assertEquals(StunClass.SUCCESS_RESPONSE, bound.stunClass());
            c.send(new byte[] {0x40, 0x02, 0, 2, 'v', '6'});
            DatagramPacket got = new DatagramPacket(new byte[10], 10);
            peer.receive(got);
            assertEquals("v6", new String(got.getData(), 0, got.getLength(), StandardCharsets.US_ASCII));
            assertEquals(relay.getPort(), got.getPort());
            // An IPv4 peer on an IPv6-only allocation: 443 (RFC 8656 §9.2).
            StunMessage mismatch = c.request(StunMethod.CREATE_PERMISSION,
                    w -> w.xorAddress(StunAttribute.XOR_PEER_ADDRESS, new InetSocketAddress("127.0.0.1", 9)));
            assertEquals(ErrorCode.PEER_ADDRESS_FAMILY_MISMATCH, TestStunClient.errorCode(mismatch));
        }
    }

    @Test
    void additionalAddressFamilyGivesOneRelayedAddressPerFamily() throws Exception {
        try (TestStunClient c = dualStackClient(Map.of())) {
            StunMessage ok = c.request(StunMethod.ALLOCATE, w -> family(w, StunAttribute.ADDITIONAL_ADDRESS_FAMILY, 2));
            List<InetSocketAddress> addresses = relayed(ok);
            assertEquals(2, addresses.size(), addresses.toString());
            assertEquals(4, addresses.get(0).getAddress().getAddress().length);
            assertEquals(16, addresses.get(1).getAddress().getAddress().length);
            // ADDITIONAL-ADDRESS-FAMILY may only name IPv6 (RFC 8656 §18.11).
            try (TestStunClient other = new TestStunClient(running.address("udp", true)).credentials(c.username, c.password)) {
                StunMessage bad = other.request(StunMethod.ALLOCATE,
                        w -> family(w, StunAttribute.ADDITIONAL_ADDRESS_FAMILY, 1));
                assertEquals(ErrorCode.BAD_REQUEST, TestStunClient.errorCode(bad));
            }
        }
    }

    @Test
    void ipv4HiddenInIpv6CannotReachLoopback() throws Exception {
        try (TestStunClient c = dualStackClient(Map.of("parley.turn.allow-loopback-peers", false))) {
            c.request(StunMethod.ALLOCATE, w -> family(w, StunAttribute.REQUESTED_ADDRESS_FAMILY, 2));
            for (String peer : new String[] {"::1", "64:ff9b::7f00:1", "64:ff9b:1::7f00:1", "2002:7f00:1::1",
                    "::127.0.0.1", "fe80::1", "fd00::2", "ff02::1"}) {
                StunMessage answer = c.request(StunMethod.CREATE_PERMISSION,
                        w -> w.xorAddress(StunAttribute.XOR_PEER_ADDRESS, new InetSocketAddress(peer, 9)));
                assertEquals(ErrorCode.FORBIDDEN, TestStunClient.errorCode(answer), peer);
            }
            assertEquals(8.0, running.meter("parley.turn.peers.denied"));
        }
    }

    @Test
    void ipv6IsRefusedWith440WhenTheServerHasNoIpv6Relay() throws Exception {
        running = TestServers.start(TestServers.config(Map.of()), Clock.systemUTC());
        String username = (System.currentTimeMillis() / 1000 + 600) + ":alice";
        try (TestStunClient c = new TestStunClient(running.address("udp")).credentials(username,
                RestCredentials.password(TestServers.SECRET.getBytes(StandardCharsets.UTF_8), username))) {
            StunMessage answer = c.request(StunMethod.ALLOCATE, w -> family(w, StunAttribute.REQUESTED_ADDRESS_FAMILY, 2));
            assertEquals(ErrorCode.ADDRESS_FAMILY_NOT_SUPPORTED, TestStunClient.errorCode(answer));
        }
    }

    @Test
    void coturnClientOverIpv6() throws Exception {
        CoturnTools.requireTools();
        try (TestStunClient unused = dualStackClient(Map.of())) {
            int port = running.address("udp", true).getPort();
            int peerPort = CoturnTools.freeUdpPortPair();
            Process peer = new ProcessBuilder(CoturnTools.PEER.toString(), "-L", "::1", "-p", Integer.toString(peerPort))
                    .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
            try {
                Thread.sleep(300);
                List<String> cmd = new ArrayList<>(List.of(CoturnTools.UCLIENT.toString(), "-x", "-W", TestServers.SECRET,
                        "-u", "alice", "-n", "20", "-m", "3", "-l", "170", "-e", "::1", "-r", Integer.toString(peerPort),
                        "-p", Integer.toString(port), "::1"));
                CoturnTools.run(cmd, 60).assertNothingLost(60);
                assertTrue(running.meter("parley.turn.relayed.packets", "direction", "peer_to_client") >= 60);
            } finally {
                peer.destroy();
                peer.waitFor();
            }
        }
    }

}
