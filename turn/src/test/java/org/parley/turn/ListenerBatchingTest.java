package org.parley.turn;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.parley.netio.NativeDatagramBatch;
import org.parley.turn.stun.StunAttribute;
import org.parley.turn.stun.StunClass;
import org.parley.turn.stun.StunMessage;
import org.parley.turn.stun.StunMethod;

/**
 * A burst of clients' media reaches the UDP listener in one system call, and the peers' answers
 * leave it in one (recvmmsg / sendmmsg, docs/turn.md): the event loop is held while ten clients
 * send ChannelData and while their peer answers each relayed address, as a burst arrives while the
 * loop is busy; once released, every datagram is relayed, and the listener's metrics show the
 * datagrams moved by far fewer system calls. Loopback delivery is synchronous, so a datagram sent
 * while the loop is held is queued on the server's socket when {@code send} returns.
 *
 * <p>With {@code parley.turn.udp-batching = false} the server takes the path it falls back to where
 * Netty's batch calls cannot be reached: the same bursts are relayed, one datagram per system call.
 * A relay socket fed one datagram at a time reads each with one call, and a burst queued on it is
 * still read whole, in a few calls.
 */
class ListenerBatchingTest {
    private static final int CLIENTS = 10;
    private static final byte[] CHANNEL = {0x40, 0x00, 0, 0};

    private TestServers.Running running;
    private final List<TestStunClient> clients = new ArrayList<>();
    private final List<InetSocketAddress> relayed = new ArrayList<>();
    private DatagramSocket peer;

    private void start(Map<String, Object> config) throws Exception {
        running = TestServers.start(TestServers.config(config), Clock.systemUTC());
        peer = new DatagramSocket(0, InetAddress.getLoopbackAddress());
        peer.setSoTimeout(10_000);
        InetSocketAddress peerAddress = (InetSocketAddress) peer.getLocalSocketAddress();
        for (int i = 0; i < CLIENTS; i++) {
            String username = (System.currentTimeMillis() / 1000 + 600) + ":client" + i;
            TestStunClient c = new TestStunClient(running.address("udp")).credentials(username,
                    RestCredentials.password(TestServers.SECRET.getBytes(StandardCharsets.UTF_8), username));
            clients.add(c);
            c.socket.setSoTimeout(10_000);
            StunMessage ok = c.request(StunMethod.ALLOCATE,
                    w -> w.bytes(StunAttribute.REQUESTED_TRANSPORT, new byte[] {17, 0, 0, 0}));
            relayed.add(ok.xorAddressOf(StunAttribute.XOR_RELAYED_ADDRESS));
            StunMessage bound = c.request(StunMethod.CHANNEL_BIND, w -> w
                    .bytes(StunAttribute.CHANNEL_NUMBER, CHANNEL)
                    .xorAddress(StunAttribute.XOR_PEER_ADDRESS, peerAddress));
            assertEquals(StunClass.SUCCESS_RESPONSE, bound.stunClass());
        }
    }

    @AfterEach
    void stop() {
        clients.forEach(TestStunClient::close);
        if (peer != null) {
            peer.close();
        }
        if (running != null) {
            running.close();
        }
    }

    @Test
    void aBurstCrossesTheListenerInOneSystemCallEachWay() throws Exception {
        start(Map.of());
        crossTheListener(2);
    }

    @Test
    void withoutBatchingEveryDatagramStillCrossesOneSystemCallEach() throws Exception {
        start(Map.of("parley.turn.udp-batching", false));
        crossTheListener(CLIENTS);
        assertEquals(meter("datagrams", "read"), meter("syscalls", "read"), "one datagram per listener read");
        assertEquals(meter("datagrams", "write"), meter("syscalls", "write"), "one datagram per listener write");
        assertEquals(meter("datagrams", "relay_read"), meter("syscalls", "relay_read"), "one datagram per relay read");
    }

    @Test
    void aRelaySocketReadsATrickleOneCallEachAndABurstWhole() throws Exception {
        start(Map.of());
        TestStunClient client = clients.get(0);
        // One datagram at a time, each relayed before the next is sent: one read of one datagram each.
        double reads = meter("syscalls", "relay_read");
        double datagrams = meter("datagrams", "relay_read");
        for (int i = 0; i < 2 * EpollRelaySocket.PROBE_EVERY; i++) {
            peer.send(datagram("one " + i, relayed.get(0)));
            assertEquals("one " + i, channelPayload(client.receive()));
        }
        assertEquals(2 * EpollRelaySocket.PROBE_EVERY, meter("datagrams", "relay_read") - datagrams);
        assertEquals(2 * EpollRelaySocket.PROBE_EVERY, meter("syscalls", "relay_read") - reads);

        // A burst queued while the loop is busy: every datagram arrives, in order, in fewer reads.
        reads = meter("syscalls", "relay_read");
        try (HeldLoop held = new HeldLoop()) {
            for (int i = 0; i < 3 * NativeDatagramBatch.SIZE; i++) {
                peer.send(datagram("burst " + i, relayed.get(0)));
            }
        }
        for (int i = 0; i < 3 * NativeDatagramBatch.SIZE; i++) {
            assertEquals("burst " + i, channelPayload(client.receive()));
        }
        double burstReads = meter("syscalls", "relay_read") - reads;
        assertTrue(burstReads <= EpollRelaySocket.PROBE_EVERY + 3,
                3 * NativeDatagramBatch.SIZE + " queued datagrams took " + burstReads + " reads");
    }

    /** Ten clients' ChannelData and their peer's answers, each queued while the loop is held. */
    private void crossTheListener(int maxCalls) throws Exception {
        double reads = meter("syscalls", "read");
        double datagramsRead = meter("datagrams", "read");
        try (HeldLoop held = new HeldLoop()) {
            for (int i = 0; i < CLIENTS; i++) {
                clients.get(i).send(channelData("to peer " + i));
            }
        }
        List<String> atPeer = new ArrayList<>();
        for (int i = 0; i < CLIENTS; i++) {
            DatagramPacket p = new DatagramPacket(new byte[100], 100);
            peer.receive(p);
            atPeer.add(new String(p.getData(), 0, p.getLength(), StandardCharsets.UTF_8));
        }
        for (int i = 0; i < CLIENTS; i++) {
            assertTrue(atPeer.contains("to peer " + i), atPeer.toString());
        }
        double readCalls = meter("syscalls", "read") - reads;
        assertEquals(CLIENTS, meter("datagrams", "read") - datagramsRead, "datagrams read by the listener");
        assertTrue(readCalls <= maxCalls, CLIENTS + " queued datagrams took " + readCalls + " reads");

        double writes = meter("syscalls", "write");
        double datagramsWritten = meter("datagrams", "write");
        try (HeldLoop held = new HeldLoop()) {
            for (int i = 0; i < CLIENTS; i++) {
                peer.send(datagram("to client " + i, relayed.get(i)));
            }
        }
        for (int i = 0; i < CLIENTS; i++) {
            assertEquals("to client " + i, channelPayload(clients.get(i).receive()));
        }
        double writeCalls = meter("syscalls", "write") - writes;
        assertEquals(CLIENTS, meter("datagrams", "write") - datagramsWritten, "datagrams written by the listener");
        assertTrue(writeCalls <= maxCalls, CLIENTS + " answers read in one turn took " + writeCalls + " writes");
        assertEquals(0.0, running.meter("parley.turn.relayed.dropped", "reason", "send_buffer_full"));
    }

    private double meter(String name, String op) {
        return running.meter("parley.turn.udp." + name, "op", op);
    }

    private static DatagramPacket datagram(String text, InetSocketAddress to) {
        byte[] bytes = text.getBytes(StandardCharsets.UTF_8);
        return new DatagramPacket(bytes, bytes.length, to);
    }

    /** The payload of a ChannelData message on the bound channel, as text. */
    private static String channelPayload(byte[] message) {
        ByteBuffer got = ByteBuffer.wrap(message);
        assertEquals(0x4000, got.getShort() & 0xffff, "ChannelData on the bound channel");
        byte[] payload = new byte[got.getShort()];
        got.get(payload);
        return new String(payload, StandardCharsets.UTF_8);
    }

    private static byte[] channelData(String text) {
        byte[] payload = text.getBytes(StandardCharsets.UTF_8);
        // RFC 8656 §12.4: channel number, length, data; over UDP no padding.
        return ByteBuffer.allocate(4 + payload.length).put(CHANNEL, 0, 2).putShort((short) payload.length)
                .put(payload).array();
    }

    /** Keeps the server's event loop busy until closed, so datagrams queue on its sockets. */
    private final class HeldLoop implements AutoCloseable {
        private final CountDownLatch holding = new CountDownLatch(1);
        private final CountDownLatch release = new CountDownLatch(1);

        HeldLoop() throws InterruptedException {
            running.server().eventLoop().execute(() -> {
                holding.countDown();
                try {
                    release.await(30, TimeUnit.SECONDS);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            });
            assertTrue(holding.await(30, TimeUnit.SECONDS), "the event loop never ran the holding task");
        }

        @Override
        public void close() {
            release.countDown();
        }
    }
}
