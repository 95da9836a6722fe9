package org.parley.turn;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelHandler;
import io.netty.channel.EventLoop;
import io.netty.channel.IoEventLoop;
import io.netty.channel.ServerChannel;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.concurrent.ThreadLocalRandom;
import org.parley.netio.NativeDatagramBatch;

/**
 * Hands out relay sockets bound to ports of {@code min-port..max-port} (RFC 8656 §7.2: the server
 * chooses the relayed transport address). Runs on the event loop, where registering and binding a
 * socket complete at once, so a port taken by another process is simply skipped. UDP relay sockets
 * are {@link EpollRelaySocket}s with native epoll, Netty channels otherwise.
 */
final class RelayPortPool {
    /** A bound relay socket pair for EVEN-PORT with the R bit: {@code odd} is to be reserved. */
    record EvenPair(RelaySocket even, RelaySocket odd) {
    }

    private final int min;
    private final int max;
    private final EventLoop loop;
    private final TurnMetrics metrics;
    /** Whether relay sockets read with {@code recvmmsg} ({@code parley.turn.udp-batching} and Netty allow it). */
    private final boolean batching;
    /** Where every epoll relay socket of the loop reads its datagram; allocated on first use. */
    private ByteBuf readBuffer;
    /** The batch read every epoll relay socket of the loop shares, over {@link #readBuffer}; or null. */
    private NativeDatagramBatch readBatch;
    private int next;

    RelayPortPool(int min, int max, EventLoop loop, TurnMetrics metrics, boolean batching) {
        this.batching = batching;
        this.min = min;
        this.max = max;
        this.loop = loop;
        this.metrics = metrics;
        this.next = min + ThreadLocalRandom.current().nextInt(max - min + 1);
    }

    /** A UDP socket on {@code ip}; even port when asked (RFC 8656 §14.6); null when the range is full. */
    RelaySocket bindUdp(InetAddress ip, boolean even) {
        int size = max - min + 1;
        for (int attempt = 0; attempt < size; attempt++) {
            int port = advance();
            if (even && (port & 1) != 0) {
                continue;
            }
            RelaySocket socket = tryBindUdp(new InetSocketAddress(ip, port));
            if (socket != null) {
                return socket;
            }
        }
        return null;
    }

    /** An even port and the odd port above it, both bound; null when no such pair is free. */
    EvenPair bindEvenPair(InetAddress ip) {
        int size = max - min + 1;
        for (int attempt = 0; attempt < size; attempt++) {
            int port = advance();
            if ((port & 1) != 0 || port + 1 > max) {
                continue;
            }
            RelaySocket even = tryBindUdp(new InetSocketAddress(ip, port));
            if (even == null) {
                continue;
            }
            RelaySocket odd = tryBindUdp(new InetSocketAddress(ip, port + 1));
            if (odd != null) {
                return new EvenPair(even, odd);
            }
            even.close();
        }
        return null;
    }

    /**
     * A listening TCP socket for an RFC 6062 allocation, with SO_REUSEPORT so connections to peers can
     * originate from the same relayed address (RFC 6062 §5.2).
     */
    Channel bindTcp(InetAddress ip, ChannelHandler handler) {
        int size = max - min + 1;
        for (int attempt = 0; attempt < size; attempt++) {
            int port = advance();
            ServerChannel ch = NettyTransport.newServerSocketChannel();
            try {
                ch.config().setOption(NettyTransport.reusePort(), true);
            } catch (RuntimeException e) {
                // without SO_REUSEPORT connections to peers leave from another port; they still work
            }
            Channel bound = tryBind(ch, new InetSocketAddress(ip, port), handler);
            if (bound != null) {
                return bound;
            }
        }
        return null;
    }

    private RelaySocket tryBindUdp(InetSocketAddress address) {
        if (!loop.inEventLoop()) {
            throw new IllegalStateException("relay sockets are bound on the event loop");
        }
        if (loop instanceof IoEventLoop io && io.isCompatible(EpollRelaySocket.class)) {
            if (readBuffer == null && batching) {
                readBuffer = ByteBufAllocator.DEFAULT.directBuffer(NativeDatagramBatch.SIZE * NettyTransport.DATAGRAM_SIZE);
                readBatch = new NativeDatagramBatch(readBuffer, NettyTransport.DATAGRAM_SIZE);
            } else if (readBuffer == null) {
                readBuffer = ByteBufAllocator.DEFAULT.directBuffer(NettyTransport.DATAGRAM_SIZE);
            }
            return EpollRelaySocket.bind(io, address, readBuffer, readBatch, ByteBufAllocator.DEFAULT, metrics);
        }
        Channel ch = NettyTransport.newDatagramChannel(address.getAddress(), loop);
        ChannelRelaySocket socket = new ChannelRelaySocket(ch, metrics);
        return tryBind(ch, address, null) == null ? null : socket;
    }

    /** Frees the shared read buffer; every relay socket is closed by then. */
    void close() {
        if (readBatch != null) {
            readBatch.release();
            readBatch = null;
        }
        if (readBuffer != null) {
            readBuffer.release();
            readBuffer = null;
        }
    }

    /** Registers and binds on the event loop; both complete immediately there. */
    private Channel tryBind(Channel ch, InetSocketAddress address, ChannelHandler handler) {
        if (!loop.inEventLoop()) {
            throw new IllegalStateException("relay sockets are bound on the event loop");
        }
        if (!(ch instanceof ServerChannel)) {
            NettyTransport.configureRelayReads(ch);
        }
        if (handler != null) {
            ch.pipeline().addLast(handler);
        }
        ChannelFuture registered = loop.register(ch);
        if (!registered.isDone() || !registered.isSuccess()) {
            ch.close();
            return null;
        }
        ChannelFuture bound = ch.bind(address);
        if (!bound.isDone() || !bound.isSuccess()) {
            ch.close();
            return null;
        }
        return ch;
    }

    private int advance() {
        int port = next;
        next = next >= max ? min : next + 1;
        return port;
    }
}
