package org.parley.turn;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.parley.turn.stun.ErrorCode;
import org.parley.turn.stun.StunAttribute;
import org.parley.turn.stun.StunClass;
import org.parley.turn.stun.StunMessage;
import org.parley.turn.stun.StunMethod;
import org.parley.turn.stun.StunMessageWriter;

/**
 * RFC 8656 behaviour a standard client rarely exercises, checked with a small Java client against a
 * real server on loopback, with the clock moved by hand.
 */
class TurnProtocolTest {
    private final MutableClock clock = new MutableClock(Instant.now());
    private TestServers.Running running;

    @AfterEach
    void stop() {
        if (running != null) {
            running.close();
        }
    }

    private TestStunClient client(Map<String, Object> overrides) throws Exception {
        running = TestServers.start(TestServers.config(overrides), clock);
        return restClient(running.address("udp"), 3600);
    }

    private TestStunClient restClient(InetSocketAddress server, long validSeconds) throws Exception {
        String username = (clock.millis() / 1000 + validSeconds) + ":alice";
        return new TestStunClient(server).credentials(username,
                RestCredentials.password(TestServers.SECRET.getBytes(StandardCharsets.UTF_8), username));
    }

    private static void udpAllocation(StunMessageWriter w) {
        w.bytes(StunAttribute.REQUESTED_TRANSPORT, new byte[] {17, 0, 0, 0});
    }

    @Test
    void bindingAnswersWithTheSourceAddress() throws Exception {
        try (TestStunClient c = client(Map.of())) {
            StunMessage answer = c.unauthenticated(StunMethod.BINDING, null);
            assertEquals(StunClass.SUCCESS_RESPONSE, answer.stunClass());
            assertEquals(c.socket.getLocalSocketAddress(), answer.xorAddressOf(StunAttribute.XOR_MAPPED_ADDRESS));
        }
    }

    @Test
    void allocateIsChallengedThenRelaysFromTheConfiguredRange() throws Exception {
        try (TestStunClient c = client(Map.of())) {
            StunMessage challenge = c.unauthenticated(StunMethod.ALLOCATE, TurnProtocolTest::udpAllocation);
            assertEquals(ErrorCode.UNAUTHENTICATED, TestStunClient.errorCode(challenge));
            assertEquals("test", challenge.string(StunAttribute.REALM));
            assertNotNull(challenge.string(StunAttribute.NONCE));
            assertEquals(0, running.server().allocationCount(), "a challenge allocates nothing");

            StunMessage ok = c.request(StunMethod.ALLOCATE, w -> {
                udpAllocation(w);
                w.uint32(StunAttribute.LIFETIME, 777);
            });
            assertEquals(StunClass.SUCCESS_RESPONSE, ok.stunClass());
            int port = ok.xorAddressOf(StunAttribute.XOR_RELAYED_ADDRESS).getPort();
            TurnConfig cfg = TestServers.config(Map.of());
            assertTrue(port >= cfg.minPort() && port <= cfg.maxPort(), "relay port " + port);
            assertEquals(777, ok.uint32(StunAttribute.LIFETIME, -1));
            assertEquals(1.0, running.meter("parley.turn.allocations.current"));
            assertEquals(1.0, running.meter("parley.turn.allocations.created"));
        }
    }

    @Test
    void lifetimesAreClampedToTheRfcDefaultAndMaximum() throws Exception {
        try (TestStunClient c = client(Map.of())) {
            StunMessage ok = c.request(StunMethod.ALLOCATE, w -> {
                udpAllocation(w);
                w.uint32(StunAttribute.LIFETIME, 30);
            });
            assertEquals(600, ok.uint32(StunAttribute.LIFETIME, -1));
            StunMessage refreshed = c.request(StunMethod.REFRESH, w -> w.uint32(StunAttribute.LIFETIME, 99999));
            assertEquals(3600, refreshed.uint32(StunAttribute.LIFETIME, -1));
        }
    }

    @Test
    void aRetransmittedAllocateGetsTheSameAnswerAndAnotherGets437() throws Exception {
        try (TestStunClient c = client(Map.of())) {
            byte[] txid = Transactions.newId();
            StunMessage first = c.request(StunMethod.ALLOCATE, txid, TurnProtocolTest::udpAllocation);
            StunMessage again = c.request(StunMethod.ALLOCATE, txid, TurnProtocolTest::udpAllocation);
            assertArrayEquals(first.bytes(), again.bytes());
            StunMessage other = c.request(StunMethod.ALLOCATE, TurnProtocolTest::udpAllocation);
            assertEquals(ErrorCode.ALLOCATION_MISMATCH, TestStunClient.errorCode(other));
        }
    }

    @Test
    void allocationExpiresWhenItsLifetimePasses() throws Exception {
        try (TestStunClient c = client(Map.of())) {
            c.request(StunMethod.ALLOCATE, TurnProtocolTest::udpAllocation);
            clock.advance(Duration.ofSeconds(599));
            running.server().sweepNow();
            assertEquals(1, running.server().allocationCount());
            clock.advance(Duration.ofSeconds(2));
            running.server().sweepNow();
            assertEquals(0, running.server().allocationCount());
            assertEquals(0.0, running.meter("parley.turn.allocations.current"));
            StunMessage refresh = c.request(StunMethod.REFRESH, w -> { });
            assertEquals(ErrorCode.ALLOCATION_MISMATCH, TestStunClient.errorCode(refresh));
        }
    }

    @Test
    void refreshWithLifetimeZeroDeletesTheAllocation() throws Exception {
        try (TestStunClient c = client(Map.of())) {
            c.request(StunMethod.ALLOCATE, TurnProtocolTest::udpAllocation);
            StunMessage deleted = c.request(StunMethod.REFRESH, w -> w.uint32(StunAttribute.LIFETIME, 0));
            assertEquals(StunClass.SUCCESS_RESPONSE, deleted.stunClass());
            assertEquals(0, running.server().allocationCount());
        }
    }

    @Test
    void anOldNonceGets438AndAFreshOneWorks() throws Exception {
        try (TestStunClient c = client(Map.of("parley.turn.stale-nonce", 60))) {
            c.request(StunMethod.ALLOCATE, TurnProtocolTest::udpAllocation);
            String oldNonce = c.nonce;
            clock.advance(Duration.ofSeconds(61));
            byte[] signed = c.build(StunMethod.REFRESH, Transactions.newId(), w -> { }, true);
            StunMessage stale = c.exchange(signed);
            assertEquals(ErrorCode.STALE_NONCE, TestStunClient.errorCode(stale));
            assertTrue(!oldNonce.equals(stale.string(StunAttribute.NONCE)));
            StunMessage ok = c.request(StunMethod.REFRESH, w -> { });
            assertEquals(StunClass.SUCCESS_RESPONSE, ok.stunClass());
        }
    }

    @Test
    void expiredOrForgedRestCredentialsAreRejected() throws Exception {
        running = TestServers.start(TestServers.config(Map.of()), clock);
        try (TestStunClient expired = restClient(running.address("udp"), -10);
                TestStunClient forged = new TestStunClient(running.address("udp"))
                        .credentials((clock.millis() / 1000 + 600) + ":alice", "not-the-password")) {
            assertEquals(ErrorCode.UNAUTHENTICATED,
                    TestStunClient.errorCode(expired.request(StunMethod.ALLOCATE, TurnProtocolTest::udpAllocation)));
            assertEquals(ErrorCode.UNAUTHENTICATED,
                    TestStunClient.errorCode(forged.request(StunMethod.ALLOCATE, TurnProtocolTest::udpAllocation)));
            assertEquals(0, running.server().allocationCount());
            assertEquals(1.0, running.meter("parley.turn.auth.failures", "reason", "expired"));
            assertEquals(1.0, running.meter("parley.turn.auth.failures", "reason", "bad_integrity"));
            assertEquals(2.0, running.meter("parley.turn.allocations.failed", "reason", "auth"));
        }
    }

    @Test
    void everyListedSecretIsAcceptedSoSecretsCanRotate() throws Exception {
        running = TestServers.start(TestServers.config(Map.of("parley.turn.static-auth-secret",
                java.util.List.of("new-secret", "secret"))), clock);
        String username = (clock.millis() / 1000 + 600) + ":bob";
        for (String secret : new String[] {"new-secret", "secret"}) {
            try (TestStunClient c = new TestStunClient(running.address("udp")).credentials(username,
                    RestCredentials.password(secret.getBytes(StandardCharsets.UTF_8), username))) {
                StunMessage ok = c.request(StunMethod.ALLOCATE, TurnProtocolTest::udpAllocation);
                assertEquals(StunClass.SUCCESS_RESPONSE, ok.stunClass(), "secret " + secret);
            }
        }
    }

    @Test
    void staticUsersAuthenticateWithTheirPassword() throws Exception {
        running = TestServers.start(TestServers.config(Map.of("parley.turn.user", java.util.List.of("carol:pw"))), clock);
        try (TestStunClient c = new TestStunClient(running.address("udp")).credentials("carol", "pw")) {
            assertEquals(StunClass.SUCCESS_RESPONSE,
                    c.request(StunMethod.ALLOCATE, TurnProtocolTest::udpAllocation).stunClass());
        }
    }

    @Test
    void unknownComprehensionRequiredAttributesGet420ListingThem() throws Exception {
        try (TestStunClient c = client(Map.of())) {
            StunMessage answer = c.unauthenticated(StunMethod.BINDING, w -> w.uint32(0x7777, 1).uint32(0xC001, 2));
            assertEquals(ErrorCode.UNKNOWN_ATTRIBUTE, TestStunClient.errorCode(answer));
            assertArrayEquals(new byte[] {0x77, 0x77}, answer.value(StunAttribute.UNKNOWN_ATTRIBUTES));
        }
    }

    @Test
    void peersBehindTheServerAreDeniedInEveryDisguise() throws Exception {
        try (TestStunClient c = client(Map.of("parley.turn.allow-loopback-peers", false))) {
            c.request(StunMethod.ALLOCATE, TurnProtocolTest::udpAllocation);
            String[] disguises = {"127.0.0.1", "169.254.169.254", "0.0.0.0"};
            for (String peer : disguises) {
                StunMessage answer = c.request(StunMethod.CREATE_PERMISSION,
                        w -> w.xorAddress(StunAttribute.XOR_PEER_ADDRESS, new InetSocketAddress(peer, 9)));
                assertEquals(ErrorCode.FORBIDDEN, TestStunClient.errorCode(answer), peer);
                StunMessage bind = c.request(StunMethod.CHANNEL_BIND, w -> w
                        .bytes(StunAttribute.CHANNEL_NUMBER, new byte[] {0x40, 0, 0, 0})
                        .xorAddress(StunAttribute.XOR_PEER_ADDRESS, new InetSocketAddress(peer, 9)));
                assertEquals(ErrorCode.FORBIDDEN, TestStunClient.errorCode(bind), peer);
            }
            assertEquals(6.0, running.meter("parley.turn.peers.denied"));
            StunMessage ok = c.request(StunMethod.CREATE_PERMISSION,
                    w -> w.xorAddress(StunAttribute.XOR_PEER_ADDRESS, new InetSocketAddress("1.1.1.1", 9)));
            assertEquals(StunClass.SUCCESS_RESPONSE, ok.stunClass());
        }
    }

    @Test
    void ipv6PeersOfAnIpv4AllocationGet443() throws Exception {
        try (TestStunClient c = client(Map.of())) {
            c.request(StunMethod.ALLOCATE, TurnProtocolTest::udpAllocation);
            StunMessage answer = c.request(StunMethod.CREATE_PERMISSION,
                    w -> w.xorAddress(StunAttribute.XOR_PEER_ADDRESS, new InetSocketAddress("::ffff:127.0.0.1", 9)));
            // ::ffff:127.0.0.1 is decoded as IPv4 by the JDK; a real IPv6 peer must not match an IPv4 relay.
            StunMessage v6 = c.request(StunMethod.CREATE_PERMISSION,
                    w -> w.xorAddress(StunAttribute.XOR_PEER_ADDRESS, new InetSocketAddress("2001:db8::1", 9)));
            assertEquals(ErrorCode.PEER_ADDRESS_FAMILY_MISMATCH, TestStunClient.errorCode(v6));
            assertNotNull(answer);
        }
    }

    @Test
    void theUserQuotaRefusesOneAllocationTooMany() throws Exception {
        running = TestServers.start(TestServers.config(Map.of("parley.turn.user-quota", 1)), clock);
        try (TestStunClient a = restClient(running.address("udp"), 600);
                TestStunClient b = new TestStunClient(running.address("udp")).credentials(a.username, a.password)) {
            assertEquals(StunClass.SUCCESS_RESPONSE, a.request(StunMethod.ALLOCATE, TurnProtocolTest::udpAllocation).stunClass());
            assertEquals(ErrorCode.ALLOCATION_QUOTA_REACHED,
                    TestStunClient.errorCode(b.request(StunMethod.ALLOCATE, TurnProtocolTest::udpAllocation)));
            assertEquals(1.0, running.meter("parley.turn.allocations.failed", "reason", "user_quota"));
        }
    }

    @Test
    void anotherUserOnTheSame5TupleGets441() throws Exception {
        try (TestStunClient c = client(Map.of("parley.turn.user", java.util.List.of("mallory:pw")))) {
            c.request(StunMethod.ALLOCATE, TurnProtocolTest::udpAllocation);
            c.credentials("mallory", "pw");
            StunMessage refresh = c.request(StunMethod.REFRESH, w -> { });
            assertEquals(ErrorCode.WRONG_CREDENTIALS, TestStunClient.errorCode(refresh));
            assertEquals(1, running.server().allocationCount());
        }
    }

    @Test
    void theTotalQuotaRefusesWith508() throws Exception {
        running = TestServers.start(TestServers.config(Map.of("parley.turn.total-quota", 1)), clock);
        try (TestStunClient a = restClient(running.address("udp"), 600);
                TestStunClient b = restClient(running.address("udp"), 700)) {
            assertEquals(StunClass.SUCCESS_RESPONSE, a.request(StunMethod.ALLOCATE, TurnProtocolTest::udpAllocation).stunClass());
            assertEquals(ErrorCode.INSUFFICIENT_CAPACITY,
                    TestStunClient.errorCode(b.request(StunMethod.ALLOCATE, TurnProtocolTest::udpAllocation)));
            assertEquals(1.0, running.meter("parley.turn.allocations.failed", "reason", "total_quota"));
        }
    }

    @Test
    void maxBpsDropsWhatExceedsTheAllocationsBandwidth() throws Exception {
        try (TestStunClient c = client(Map.of("parley.turn.max-bps", 1000)); DatagramSocket peer = new DatagramSocket(0,
                java.net.InetAddress.getLoopbackAddress())) {
            peer.setSoTimeout(300);
            c.request(StunMethod.ALLOCATE, TurnProtocolTest::udpAllocation);
            InetSocketAddress peerAddress = (InetSocketAddress) peer.getLocalSocketAddress();
            c.request(StunMethod.CHANNEL_BIND, w -> w
                    .bytes(StunAttribute.CHANNEL_NUMBER, new byte[] {0x40, 0x03, 0, 0})
                    .xorAddress(StunAttribute.XOR_PEER_ADDRESS, peerAddress));
            // The clock stands still, so the bucket holds one second's worth: 1000 bytes = 5 x 200.
            byte[] frame = new byte[4 + 200];
            frame[0] = 0x40;
            frame[1] = 0x03;
            frame[2] = 0;
            frame[3] = (byte) 200;
            for (int i = 0; i < 20; i++) {
                c.send(frame);
            }
            int received = 0;
            DatagramPacket got = new DatagramPacket(new byte[300], 300);
            try {
                while (true) {
                    peer.receive(got);
                    received++;
                }
            } catch (java.net.SocketTimeoutException end) {
                // all delivered
            }
            assertEquals(5, received);
            assertEquals(15.0, running.meter("parley.turn.relayed.dropped", "reason", "bandwidth"));
        }
    }

    @Test
    void dataFlowsThroughSendIndicationsAndChannelsOnlyWithPermission() throws Exception {
        try (TestStunClient c = client(Map.of()); DatagramSocket peer = new DatagramSocket(0,
                java.net.InetAddress.getLoopbackAddress())) {
            peer.setSoTimeout(2000);
            StunMessage ok = c.request(StunMethod.ALLOCATE, TurnProtocolTest::udpAllocation);
            InetSocketAddress relayed = ok.xorAddressOf(StunAttribute.XOR_RELAYED_ADDRESS);
            InetSocketAddress peerAddress = (InetSocketAddress) peer.getLocalSocketAddress();

            // No permission yet: the peer's packet is dropped.
            peer.send(new DatagramPacket(new byte[] {1}, 1, relayed));
            c.socket.setSoTimeout(300);
            assertNull(c.receive());
            c.socket.setSoTimeout(2000);

            c.request(StunMethod.CREATE_PERMISSION, w -> w.xorAddress(StunAttribute.XOR_PEER_ADDRESS, peerAddress));
            c.send(sendIndication(peerAddress, "hello"));
            DatagramPacket got = new DatagramPacket(new byte[100], 100);
            peer.receive(got);
            assertEquals("hello", new String(got.getData(), 0, got.getLength(), StandardCharsets.UTF_8));
            assertEquals(relayed.getPort(), got.getPort());

            peer.send(new DatagramPacket("back".getBytes(StandardCharsets.UTF_8), 4, relayed));
            StunMessage data = StunMessage.parse(c.receive());
            assertEquals(StunMethod.DATA, data.method());
            assertEquals("back", data.string(StunAttribute.DATA));
            assertEquals(peerAddress, data.xorAddressOf(StunAttribute.XOR_PEER_ADDRESS));

            StunMessage bound = c.request(StunMethod.CHANNEL_BIND, w -> w
                    .bytes(StunAttribute.CHANNEL_NUMBER, new byte[] {0x40, 0x01, 0, 0})
                    .xorAddress(StunAttribute.XOR_PEER_ADDRESS, peerAddress));
            assertEquals(StunClass.SUCCESS_RESPONSE, bound.stunClass());
            c.send(new byte[] {0x40, 0x01, 0, 3, 'a', 'b', 'c'});
            peer.receive(got);
            assertEquals("abc", new String(got.getData(), 0, got.getLength(), StandardCharsets.UTF_8));
            peer.send(new DatagramPacket(new byte[] {'x', 'y'}, 2, relayed));
            assertArrayEquals(new byte[] {0x40, 0x01, 0, 2, 'x', 'y'}, c.receive());

            assertEquals(2.0, running.meter("parley.turn.relayed.packets", "direction", "client_to_peer"));
            assertEquals(2.0, running.meter("parley.turn.relayed.packets", "direction", "peer_to_client"));
            assertEquals(1.0, running.meter("parley.turn.permissions.current"));
            assertEquals(1.0, running.meter("parley.turn.channels.current"));

            // Permissions lapse after 300 s, channels after 600 s (RFC 8656 §9, §11).
            clock.advance(Duration.ofSeconds(301));
            running.server().sweepNow();
            assertEquals(0.0, running.meter("parley.turn.permissions.current"));
            assertEquals(1.0, running.meter("parley.turn.channels.current"));
            peer.send(new DatagramPacket(new byte[] {'z'}, 1, relayed));
            c.socket.setSoTimeout(300);
            assertNull(c.receive());
        }
    }

    @Test
    void unauthenticatedAnswersAreRateLimitedPerSource() throws Exception {
        try (TestStunClient c = client(Map.of("parley.turn.unauthenticated-rate", 1,
                "parley.turn.unauthenticated-burst", 5))) {
            int answered = 0;
            c.socket.setSoTimeout(200);
            for (int i = 0; i < 20; i++) {
                if (c.unauthenticated(StunMethod.BINDING, null) != null) {
                    answered++;
                }
            }
            assertEquals(5, answered);
            assertEquals(15.0, running.meter("parley.turn.requests.ratelimited"));
        }
    }

    private static byte[] sendIndication(InetSocketAddress peer, String text) {
        io.netty.buffer.ByteBuf out = io.netty.buffer.Unpooled.buffer();
        StunMessageWriter.start(out, StunMethod.SEND, StunClass.INDICATION, Transactions.newId())
                .xorAddress(StunAttribute.XOR_PEER_ADDRESS, peer)
                .string(StunAttribute.DATA, text)
                .finish();
        byte[] b = new byte[out.readableBytes()];
        out.readBytes(b);
        out.release();
        return b;
    }
}
