package org.parley.turn;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.util.NetUtil;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.SocketTimeoutException;
import java.net.UnknownHostException;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.util.ArrayList;
import java.util.HashMap;
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

/**
 * Issue 15 item 1 through the real listener: with the default settings no user can reach an
 * address that is not global unicast, in any spelling, with CreatePermission, ChannelBind, a Send
 * indication or an RFC 6062 Connect; the answer is 403 and no socket is opened for the peer.
 */
class InternalPeersDeniedTest {
    /** Every range the default denies, each spelled the ways a client can spell it. */
    private static final List<String> DENIED = List.of(
            // IPv4: RFC 1918, CGNAT, this network, loopback, link-local, special and documentation
            // ranges, benchmarking, multicast, reserved, broadcast
            "10.1.2.3", "172.16.5.4", "172.31.255.254", "192.168.1.1", "100.64.0.1", "100.127.255.254",
            "0.0.0.0", "0.1.2.3", "127.0.0.1", "127.9.9.9", "169.254.169.254", "192.0.0.8", "192.0.2.1",
            "198.18.0.1", "198.19.255.1", "198.51.100.7", "203.0.113.9", "224.0.0.1", "239.255.255.250",
            "240.0.0.1", "255.255.255.255",
            // IPv6: unspecified, loopback, IPv4-mapped (sent as family IPv6), SIIT translated,
            // compatible, NAT64 well-known and local-use, Teredo and 6to4 carrying internal addresses
            "::", "::1", "::ffff:127.0.0.1", "::ffff:10.0.0.1", "::ffff:0:7f00:1", "::ffff:0:a00:1", "::7f00:1",
            "::a00:1", "64:ff9b::7f00:1", "64:ff9b::a00:1", "64:ff9b::808:808", "64:ff9b:1::a00:1",
            "2001:0:4136:e378:8000:63bf:f5ff:fffe", "2001:0:4136:e378:8000:63bf:80ff:fffe",
            "2002:a00:1::1", "2002:7f00:1::1", "2002:c0a8:101::1", "2002:6440:1::1",
            // unique-local, link-local, multicast, documentation
            "fc00::1", "fd00::2", "fe80::1", "ff02::1", "ff0e::1", "2001:db8::1", "3fff::1");
    /** Global unicast, directly or embedded: allowed (only CreatePermission, which sends nothing). */
    private static final List<String> GLOBAL = List.of("1.1.1.1", "2a00:1450:4001:80b::200e", "2002:808:808::1",
            "2001:0:4136:e378:8000:63bf:f7f7:f7f7");

    private TestServers.Running running;

    @AfterEach
    void stop() {
        if (running != null) {
            running.close();
        }
    }

    private void start(Map<String, Object> overrides) throws Exception {
        Map<String, Object> m = new HashMap<>();
        m.put("parley.turn.listening-ip", List.of("127.0.0.1", "::1"));
        // The secure default, not the loopback switch the other tests use.
        m.put("parley.turn.allow-loopback-peers", false);
        m.putAll(overrides);
        running = TestServers.start(TestServers.config(m), Clock.systemUTC());
    }

    private TestStunClient withCredentials(TestStunClient c) {
        String username = (System.currentTimeMillis() / 1000 + 600) + ":alice";
        return c.credentials(username, RestCredentials.password(TestServers.SECRET.getBytes(StandardCharsets.UTF_8),
                username));
    }

    /** A UDP client holding an IPv4 + IPv6 allocation (RFC 8656 §7.2 ADDITIONAL-ADDRESS-FAMILY). */
    private TestStunClient dualStackUdpAllocation() throws Exception {
        TestStunClient c = withCredentials(new TestStunClient(running.address("udp")));
        StunMessage ok = c.request(StunMethod.ALLOCATE, w -> w
                .bytes(StunAttribute.REQUESTED_TRANSPORT, new byte[] {17, 0, 0, 0})
                .bytes(StunAttribute.ADDITIONAL_ADDRESS_FAMILY, new byte[] {2, 0, 0, 0}));
        assertEquals(StunClass.SUCCESS_RESPONSE, ok.stunClass(), "allocate: " + TestStunClient.errorCode(ok));
        return c;
    }

    /** A TCP client holding an RFC 6062 TCP allocation of one family. */
    private TestStunClient tcpAllocation(int family) throws Exception {
        TestStunClient c = withCredentials(TestStunClient.overTcp(running.address("tcp")));
        StunMessage ok = c.request(StunMethod.ALLOCATE, w -> w
                .bytes(StunAttribute.REQUESTED_TRANSPORT, new byte[] {6, 0, 0, 0})
                .bytes(StunAttribute.REQUESTED_ADDRESS_FAMILY, new byte[] {(byte) family, 0, 0, 0}));
        assertEquals(StunClass.SUCCESS_RESPONSE, ok.stunClass(), "allocate: " + TestStunClient.errorCode(ok));
        return c;
    }

    /**
     * The peer exactly as written: an IPv4-mapped address stays a 16-byte address, so it goes on
     * the wire with family IPv6 (the JDK would otherwise turn it into IPv4 before it is sent).
     */
    static InetSocketAddress peer(String text, int port) {
        byte[] raw = NetUtil.createByteArrayFromIpAddressString(text);
        if (raw.length == 4 && text.contains(":")) {
            byte[] mapped = new byte[16];
            mapped[10] = (byte) 0xFF;
            mapped[11] = (byte) 0xFF;
            System.arraycopy(raw, 0, mapped, 12, 4);
            raw = mapped;
        }
        try {
            InetAddress address = raw.length == 16 ? Inet6Address.getByAddress(null, raw, -1)
                    : InetAddress.getByAddress(raw);
            return new InetSocketAddress(address, port);
        } catch (UnknownHostException e) {
            throw new IllegalArgumentException(text, e);
        }
    }

    /** The family the server decodes {@code peer} as (RFC 8489 §14.2; the JDK reads mapped as IPv4). */
    private static int decodedFamily(InetSocketAddress peer) throws Exception {
        return InetAddress.getByAddress(peer.getAddress().getAddress()).getAddress().length == 4 ? 1 : 2;
    }

    private static byte[] sendIndication(InetSocketAddress peer, String data) {
        ByteBuf out = Unpooled.buffer();
        StunMessageWriter.start(out, StunMethod.SEND, StunClass.INDICATION, Transactions.newId())
                .xorAddress(StunAttribute.XOR_PEER_ADDRESS, peer)
                .bytes(StunAttribute.DATA, data.getBytes(StandardCharsets.US_ASCII))
                .finishWithFingerprint();
        byte[] bytes = new byte[out.readableBytes()];
        out.readBytes(bytes);
        out.release();
        return bytes;
    }

    @Test
    void everyAddressThatIsNotGlobalUnicastIsForbiddenAndNoSocketIsOpened() throws Exception {
        start(Map.of());
        // A real UDP and TCP peer on loopback: whatever spelling of 127.0.0.1 got through would reach them.
        try (DatagramSocket udpPeer = new DatagramSocket(new InetSocketAddress("127.0.0.1", 0));
                ServerSocket tcpPeer = new ServerSocket(udpPeer.getLocalPort(), 50, InetAddress.getByName("127.0.0.1"));
                TestStunClient udp = dualStackUdpAllocation();
                TestStunClient tcp4 = tcpAllocation(1);
                TestStunClient tcp6 = tcpAllocation(2)) {
            int port = udpPeer.getLocalPort();
            List<String> failures = new ArrayList<>();
            int channel = 0x4000;
            for (String text : DENIED) {
                InetSocketAddress peer = peer(text, port);
                StunMessage permission = udp.request(StunMethod.CREATE_PERMISSION,
                        w -> w.xorAddress(StunAttribute.XOR_PEER_ADDRESS, peer));
                int number = channel++;
                StunMessage bind = udp.request(StunMethod.CHANNEL_BIND, w -> w
                        .bytes(StunAttribute.CHANNEL_NUMBER, new byte[] {(byte) (number >> 8), (byte) number, 0, 0})
                        .xorAddress(StunAttribute.XOR_PEER_ADDRESS, peer));
                udp.send(sendIndication(peer, "leak " + text));
                TestStunClient tcp = decodedFamily(peer) == 1 ? tcp4 : tcp6;
                StunMessage connect = tcp.request(StunMethod.CONNECT, w -> w.xorAddress(StunAttribute.XOR_PEER_ADDRESS, peer));
                for (var answer : List.of(Map.entry("CreatePermission", permission), Map.entry("ChannelBind", bind),
                        Map.entry("Connect", connect))) {
                    int code = answer.getValue() == null ? -1 : TestStunClient.errorCode(answer.getValue());
                    if (code != ErrorCode.FORBIDDEN) {
                        failures.add(answer.getKey() + " " + text + " -> " + code);
                    }
                }
            }
            assertEquals(List.of(), failures, "every request naming a denied peer gets 403");
            assertEquals(3.0 * DENIED.size(), running.meter("parley.turn.peers.denied"));

            // Every Send indication was handled before this answer (one client, one event loop):
            // none of them left the server, and nothing reached the loopback peer.
            assertEquals(StunClass.SUCCESS_RESPONSE,
                    udp.request(StunMethod.REFRESH, w -> w.uint32(StunAttribute.LIFETIME, 600)).stunClass());
            assertEquals(0.0, running.meter("parley.turn.relayed.packets", "direction", "client_to_peer"));
            assertEquals(DENIED.size(), running.meter("parley.turn.relayed.dropped", "reason", "no_permission"));
            udpPeer.setSoTimeout(200);
            DatagramPacket leaked = new DatagramPacket(new byte[100], 100);
            try {
                udpPeer.receive(leaked);
                failures.add("the loopback peer got " + new String(leaked.getData(), 0, leaked.getLength(),
                        StandardCharsets.US_ASCII));
            } catch (SocketTimeoutException expected) {
                // nothing arrived
            }
            tcpPeer.setSoTimeout(200);
            try {
                tcpPeer.accept().close();
                failures.add("the loopback peer got a TCP connection");
            } catch (SocketTimeoutException expected) {
                // nobody connected
            }
            assertEquals(List.of(), failures);
            assertEquals(0.0, running.meter("parley.turn.tcp.connections.current"));

            for (String text : GLOBAL) {
                StunMessage ok = udp.request(StunMethod.CREATE_PERMISSION,
                        w -> w.xorAddress(StunAttribute.XOR_PEER_ADDRESS, peer(text, 9)));
                assertEquals(StunClass.SUCCESS_RESPONSE, ok.stunClass(), text + ": " + TestStunClient.errorCode(ok));
            }
        }
    }

    @Test
    void allowedPeerIpReAllowsOneRangeAndNothingElse() throws Exception {
        // Comma-separated, as -Dparley.turn.allowed-peer-ip=... gives it.
        start(Map.of("parley.turn.allowed-peer-ip", "10.0.0.0/8, 198.51.100.0/24"));
        try (TestStunClient udp = dualStackUdpAllocation(); TestStunClient tcp4 = tcpAllocation(1)) {
            for (String text : List.of("10.1.2.3", "198.51.100.7", "::ffff:10.1.2.3")) {
                StunMessage ok = udp.request(StunMethod.CREATE_PERMISSION,
                        w -> w.xorAddress(StunAttribute.XOR_PEER_ADDRESS, peer(text, 9)));
                assertEquals(StunClass.SUCCESS_RESPONSE, ok.stunClass(), text + ": " + TestStunClient.errorCode(ok));
            }
            StunMessage bound = udp.request(StunMethod.CHANNEL_BIND, w -> w
                    .bytes(StunAttribute.CHANNEL_NUMBER, new byte[] {0x40, 0, 0, 0})
                    .xorAddress(StunAttribute.XOR_PEER_ADDRESS, peer("10.1.2.3", 9)));
            assertEquals(StunClass.SUCCESS_RESPONSE, bound.stunClass());
            // The connection is tried (the test's network namespace has no route to 10/8, so it
            // fails with 447), where a denied peer gets 403 before any socket exists.
            StunMessage connect = tcp4.request(StunMethod.CONNECT,
                    w -> w.xorAddress(StunAttribute.XOR_PEER_ADDRESS, peer("10.1.2.3", 9)));
            assertEquals(ErrorCode.CONNECTION_TIMEOUT_OR_FAILURE, TestStunClient.errorCode(connect));
            // The rest stays denied, and so does 10/8 behind a NAT64 prefix that is not allowed.
            for (String text : List.of("192.168.1.1", "172.16.0.1", "64:ff9b::a00:1", "127.0.0.1")) {
                StunMessage denied = udp.request(StunMethod.CREATE_PERMISSION,
                        w -> w.xorAddress(StunAttribute.XOR_PEER_ADDRESS, peer(text, 9)));
                assertEquals(ErrorCode.FORBIDDEN, TestStunClient.errorCode(denied), text);
            }
        }
    }
}
