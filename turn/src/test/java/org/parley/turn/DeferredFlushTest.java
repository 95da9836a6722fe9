package org.parley.turn;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.netty.bootstrap.Bootstrap;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelOutboundHandlerAdapter;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.socket.DatagramPacket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * Packets written to clients during one event-loop turn leave together after it, on a real
 * loopback UDP socket: none is held back past the turn, order is kept, and the socket is flushed
 * once for all of them (one sendmmsg with epoll).
 */
class DeferredFlushTest {

    /** Counts the flushes that reach the socket. */
    private static final class FlushCounter extends ChannelOutboundHandlerAdapter {
        volatile int flushes;

        @Override
        public void flush(ChannelHandlerContext ctx) {
            flushes++;
            ctx.flush();
        }
    }

    @Test
    void packetsOfOneTurnLeaveTogetherWithOneFlush() throws Exception {
        EventLoopGroup group = new MultiThreadIoEventLoopGroup(1, NettyTransport.ioHandlerFactory());
        InetAddress loopback = InetAddress.getByName("127.0.0.1");
        BlockingQueue<Integer> received = new LinkedBlockingQueue<>();
        try {
            Channel receiver = new Bootstrap().group(group)
                    .channelFactory(() -> NettyTransport.newDatagramChannel(loopback))
                    .handler(new SimpleChannelInboundHandler<DatagramPacket>() {
                        @Override
                        protected void channelRead0(ChannelHandlerContext ctx, DatagramPacket p) {
                            received.add((int) p.content().readByte());
                        }
                    })
                    .bind(loopback, 0).sync().channel();
            FlushCounter counter = new FlushCounter();
            Channel sender = new Bootstrap().group(group)
                    .channelFactory(() -> NettyTransport.newDatagramChannel(loopback))
                    .handler(counter)
                    .bind(loopback, 0).sync().channel();
            InetSocketAddress to = (InetSocketAddress) receiver.localAddress();
            DeferredFlush flush = new DeferredFlush(sender);

            // One turn: three writes, three flush requests; nothing is flushed within the turn.
            int flushesInTurn = sender.eventLoop().submit(() -> {
                for (int i = 0; i < 3; i++) {
                    sender.write(new DatagramPacket(Unpooled.wrappedBuffer(new byte[] {(byte) i}), to));
                    flush.request();
                }
                return counter.flushes;
            }).get(5, TimeUnit.SECONDS);
            assertEquals(0, flushesInTurn);

            assertEquals(List.of(0, 1, 2), take(received, 3), "all three arrive, in order");
            assertEquals(1, counter.flushes, "one flush for the turn");

            // The next turn gets its own flush.
            sender.eventLoop().submit(() -> {
                sender.write(new DatagramPacket(Unpooled.wrappedBuffer(new byte[] {9}), to));
                flush.request();
            }).get(5, TimeUnit.SECONDS);
            assertEquals(List.of(9), take(received, 1));
            assertEquals(2, counter.flushes);
        } finally {
            group.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
        }
    }

    private static List<Integer> take(BlockingQueue<Integer> queue, int n) throws InterruptedException {
        List<Integer> out = new java.util.ArrayList<>();
        for (int i = 0; i < n; i++) {
            Integer v = queue.poll(5, TimeUnit.SECONDS);
            if (v == null) {
                break;
            }
            out.add(v);
        }
        return out;
    }
}
