package org.parley.relay.transport;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.DatagramChannel;
import org.ice4j.Transport;
import org.ice4j.TransportAddress;
import org.junit.jupiter.api.Test;
import org.parley.relay.Ice4jSettings;

/**
 * The relay's sending socket on the shared UDP port, through real sockets on loopback: it shares
 * ice4j's port, leaves every arriving datagram to ice4j's listener (bound after it), and its
 * datagrams reach the peer from that port, in order and intact.
 */
class SharedPortSenderTest {

    private static final int COUNT = 200;

    static {
        Ice4jSettings.apply();
    }

    @Test
    void sendsFromTheSharedPortAndNeverTakesWhatArrivesForIce4j() throws Exception {
        SharedUdpPortHarvester harvester = SharedUdpPortHarvester.bind(
                new TransportAddress(InetAddress.getLoopbackAddress(), 0, Transport.UDP));
        try (DatagramChannel peer = DatagramChannel.open()) {
            peer.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
            SharedPortSender sender = harvester.sender();
            assertEquals(harvester.getLocalAddress().getPort(), sender.port(), "one port for ICE and media");

            // Datagrams to the port (a peer's STUN checks and media) go to ice4j's listener.
            for (int i = 0; i < COUNT; i++) {
                peer.send(ByteBuffer.wrap(new byte[] {0, 1, (byte) i}), sender.localAddress());
            }
            assertNull(sender.receiveForTests(ByteBuffer.allocateDirect(64)), "the sender read a datagram");

            // Media leaves by the same port, every datagram whole and in order. One at a time,
            // so that the peer's receive buffer never overflows on a loaded machine.
            Recipient to = Recipient.of((InetSocketAddress) peer.getLocalAddress());
            peer.configureBlocking(false);
            byte[] packet = new byte[1200];
            ByteBuffer in = ByteBuffer.allocate(2048);
            for (int i = 0; i < COUNT; i++) {
                packet[0] = (byte) i;
                packet[1199] = (byte) ~i;
                assertTrue(sender.send(packet, 0, packet.length, to), "datagram " + i + " refused");
                in.clear();
                InetSocketAddress from = receive(peer, in);
                assertEquals(sender.localAddress(), from, "source of datagram " + i);
                assertEquals(1200, in.position());
                assertEquals((byte) i, in.get(0));
                assertEquals((byte) ~i, in.get(1199));
            }
        } finally {
            harvester.close();
        }
        assertThrows(IOException.class, () -> harvester.sender().send(new byte[4], 0, 4,
                Recipient.of(new InetSocketAddress(InetAddress.getLoopbackAddress(), 9))), "a closed harvester's sender sends");
    }

    /** The next datagram, polled for at most 10 s (loopback delivers at once, a loaded machine may not run us). */
    private static InetSocketAddress receive(DatagramChannel peer, ByteBuffer in) throws Exception {
        long deadline = System.nanoTime() + 10_000_000_000L;
        while (System.nanoTime() < deadline) {
            InetSocketAddress from = (InetSocketAddress) peer.receive(in);
            if (from != null) {
                return from;
            }
            Thread.onSpinWait();
        }
        throw new AssertionError("no datagram within 10 s");
    }

    @Test
    void aPortInUseByAnotherSocketWithoutSharingIsRefused() throws Exception {
        try (DatagramChannel taken = DatagramChannel.open()) {
            taken.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
            int port = ((InetSocketAddress) taken.getLocalAddress()).getPort();
            assertThrows(IOException.class, () -> SharedUdpPortHarvester.bind(
                    new TransportAddress(InetAddress.getLoopbackAddress(), port, Transport.UDP)));
        }
    }
}
