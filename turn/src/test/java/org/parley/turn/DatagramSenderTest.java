package org.parley.turn;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.netty.bootstrap.Bootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.DatagramPacket;
import io.netty.channel.socket.nio.NioDatagramChannel;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import org.junit.jupiter.api.Test;

/**
 * Datagrams sent by {@link DatagramSender} arrive whole on a real loopback socket, from the
 * sender's own port, with exactly the bytes asked for; the caller's buffer is left to the caller.
 * Run over the transport the server uses (native epoll on Linux) and over NIO, which takes the
 * channel's pipeline.
 */
class DatagramSenderTest {
    private static final InetAddress LOOPBACK = InetAddress.getLoopbackAddress();

    @Test
    void theServersTransportSendsTheRequestedBytesAndLeavesTheBufferToTheCaller() throws Exception {
        EventLoopGroup group = new MultiThreadIoEventLoopGroup(1, NettyTransport.ioHandlerFactory());
        try {
            Channel from = new Bootstrap().group(group)
                    .channelFactory(() -> NettyTransport.newDatagramChannel(LOOPBACK))
                    .handler(new ChannelInboundHandlerAdapter()).bind(LOOPBACK, 0).sync().channel();
            sendsAndLeavesBuffers(group, from, () -> NettyTransport.newDatagramChannel(LOOPBACK));
        } finally {
            group.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
        }
    }

    @Test
    void nioTakesThePipelineWithTheSameResult() throws Exception {
        EventLoopGroup group = new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory());
        try {
            Channel from = new Bootstrap().group(group).channel(NioDatagramChannel.class)
                    .handler(new ChannelInboundHandlerAdapter()).bind(LOOPBACK, 0).sync().channel();
            sendsAndLeavesBuffers(group, from, NioDatagramChannel::new);
        } finally {
            group.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
        }
    }

    private static void sendsAndLeavesBuffers(EventLoopGroup group, Channel from,
            Supplier<Channel> receivers) throws Exception {
        BlockingQueue<DatagramPacket> received = new LinkedBlockingQueue<>();
        Channel to = new Bootstrap().group(group)
                .channelFactory(receivers::get)
                .handler(new SimpleChannelInboundHandler<DatagramPacket>() {
                    @Override
                    protected void channelRead0(ChannelHandlerContext ctx, DatagramPacket p) {
                        received.add(p.retain());
                    }
                })
                .bind(LOOPBACK, 0).sync().channel();
        InetSocketAddress recipient = (InetSocketAddress) to.localAddress();
        TurnMetrics metrics = new TurnMetrics(new SimpleMeterRegistry());
        DatagramSender sender = new DatagramSender(from, metrics);

        ByteBuf direct = from.alloc().directBuffer(16).writeBytes(new byte[] {0x40, 0, 0, 3, 7, 8, 9, 99});
        ByteBuf heap = Unpooled.wrappedBuffer(new byte[] {1, 2, 3, 4, 5});
        boolean[] sent = from.eventLoop().submit(() -> new boolean[] {
            // A ChannelData payload: the 4-byte header and the trailing byte are not sent.
            sender.send(direct, 4, 3, recipient),
            // Bytes in a heap array must be copied to native memory first.
            sender.send(heap, 1, 3, recipient),
            // An empty ChannelData payload is still a datagram (Netty's pipeline skips empty ones).
            sender.send(direct, 0, 0, recipient),
        }).get(5, TimeUnit.SECONDS);
        assertArrayEquals(new boolean[] {true, true, true}, sent);

        assertArrayEquals(new byte[] {7, 8, 9}, next(received, from));
        assertArrayEquals(new byte[] {2, 3, 4}, next(received, from));
        if (!(from instanceof NioDatagramChannel)) {
            assertArrayEquals(new byte[0], next(received, from));
        }
        assertEquals(1, direct.refCnt(), "the caller's buffer is not released");
        assertEquals(1, heap.refCnt());
        assertEquals(8, direct.readableBytes(), "nor read from");
        assertEquals(0, metrics.droppedSendBufferFull + metrics.droppedSendError);
        direct.release();
        heap.release();
    }

    private static byte[] next(BlockingQueue<DatagramPacket> received, Channel from) throws InterruptedException {
        DatagramPacket p = received.poll(5, TimeUnit.SECONDS);
        assertNotNull(p, "datagram arrived");
        try {
            assertTrue(p.sender().equals(from.localAddress()), "sent from the sender's own socket: " + p.sender());
            return ByteBufUtil.getBytes(p.content());
        } finally {
            p.release();
        }
    }
}
