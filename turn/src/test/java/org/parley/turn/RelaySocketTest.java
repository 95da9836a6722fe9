package org.parley.turn;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import io.netty.channel.EventLoop;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.IoHandlerFactory;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.epoll.EpollIoHandler;
import io.netty.channel.nio.NioIoHandler;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.Callable;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.parley.netio.NativeDatagramBatch;

/**
 * Relay sockets from {@link RelayPortPool} on a real loopback peer, for both kinds: the epoll
 * socket without a channel that Linux servers use, and the Netty channel used elsewhere. A peer's
 * datagram reaches the receiver with its bytes and the peer's address, datagrams to the peer leave
 * from the relayed port, and a closed socket frees its port.
 */
class RelaySocketTest {
    private static final InetAddress LOOPBACK = InetAddress.getLoopbackAddress();

    private record Datagram(byte[] bytes, InetSocketAddress from) {
    }

    @Test
    void epollRelaySocket() throws Exception {
        if (!Epoll.isAvailable() && System.getenv("CI") == null) {
            return; // only Linux has epoll; under CI (Linux) this must run
        }
        relaysBothWays(EpollIoHandler.newFactory(), EpollRelaySocket.class);
    }

    @Test
    void channelRelaySocket() throws Exception {
        relaysBothWays(NioIoHandler.newFactory(), ChannelRelaySocket.class);
    }

    private static void relaysBothWays(IoHandlerFactory transport, Class<?> expectedKind) throws Exception {
        EventLoopGroup group = new MultiThreadIoEventLoopGroup(1, transport);
        EventLoop loop = group.next();
        RelayPortPool pool = new RelayPortPool(40000, 40999, loop, new TurnMetrics(new SimpleMeterRegistry()),
                NativeDatagramBatch.AVAILABLE);
        BlockingQueue<Datagram> received = new LinkedBlockingQueue<>();
        try (DatagramSocket peer = new DatagramSocket(new InetSocketAddress(LOOPBACK, 0))) {
            peer.setSoTimeout(5000);
            RelaySocket socket = on(loop, () -> pool.bindUdp(LOOPBACK, false));
            assertInstanceOf(expectedKind, socket);
            InetSocketAddress relayed = socket.localAddress();

            on(loop, () -> {
                socket.receiver((buf, index, length, from) ->
                        received.add(new Datagram(ByteBufUtil.getBytes(buf, index, length), from)));
                return null;
            });
            peer.send(new DatagramPacket(new byte[] {1, 2, 3}, 3, relayed));
            Datagram first = received.poll(5, TimeUnit.SECONDS);
            assertNotNull(first, "the peer's datagram reaches the receiver");
            assertArrayEquals(new byte[] {1, 2, 3}, first.bytes());
            assertEquals(peer.getLocalSocketAddress(), first.from());

            ByteBuf out = Unpooled.wrappedBuffer(new byte[] {0, 0, 0, 0, 7, 7});
            on(loop, () -> {
                socket.send(out, 4, 2, (InetSocketAddress) peer.getLocalSocketAddress());
                return null;
            });
            DatagramPacket back = new DatagramPacket(new byte[16], 16);
            peer.receive(back);
            assertArrayEquals(new byte[] {7, 7}, java.util.Arrays.copyOf(back.getData(), back.getLength()));
            assertEquals(relayed, back.getSocketAddress(), "sent from the relayed transport address");
            assertEquals(1, out.refCnt());
            out.release();

            on(loop, () -> {
                socket.close();
                return null;
            });
            // The port is free again: a plain socket can take it. NIO closes a channel's file
            // descriptor at the selector's next wake-up, so give it a few tries.
            assertTrue(portFreed(relayed), "the relayed port was freed");
        } finally {
            loop.submit(pool::close).get(5, TimeUnit.SECONDS);
            group.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
        }
    }

    private static boolean portFreed(InetSocketAddress address) throws InterruptedException {
        for (int attempt = 0; attempt < 50; attempt++) {
            try {
                new DatagramSocket(address).close();
                return true;
            } catch (java.net.SocketException stillBound) {
                Thread.sleep(100);
            }
        }
        return false;
    }

    private static <T> T on(EventLoop loop, Callable<T> task) throws Exception {
        return loop.submit(task).get(5, TimeUnit.SECONDS);
    }
}
