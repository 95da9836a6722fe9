package org.parley.turn;

import io.netty.channel.Channel;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoop;
import io.netty.channel.FixedRecvByteBufAllocator;
import io.netty.channel.IoEventLoop;
import io.netty.channel.IoHandlerFactory;
import io.netty.channel.ServerChannel;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.epoll.EpollChannelOption;
import io.netty.channel.epoll.EpollDatagramChannel;
import io.netty.channel.epoll.EpollIoHandler;
import io.netty.channel.epoll.EpollServerSocketChannel;
import io.netty.channel.epoll.EpollSocketChannel;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.nio.NioChannelOption;
import io.netty.channel.socket.nio.NioDatagramChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.channel.socket.SocketProtocolFamily;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.StandardSocketOptions;

/**
 * Netty's native epoll transport on Linux (fewer copies and system calls per datagram than NIO, the
 * packet path's main cost), NIO elsewhere. Set {@code -Dparley.turn.nio=true} to force NIO.
 */
final class NettyTransport {
    static final boolean EPOLL = Epoll.isAvailable() && !Boolean.getBoolean("parley.turn.nio");

    private NettyTransport() {
    }

    static IoHandlerFactory ioHandlerFactory() {
        return EPOLL ? EpollIoHandler.newFactory() : NioIoHandler.newFactory();
    }

    static Class<? extends ServerChannel> serverSocketChannelClass() {
        return EPOLL ? EpollServerSocketChannel.class : NioServerSocketChannel.class;
    }

    static Class<? extends Channel> socketChannelClass() {
        return EPOLL ? EpollSocketChannel.class : NioSocketChannel.class;
    }

    /**
     * A UDP socket of the address's own family: an IPv4 address on a dual-stack IPv6 socket would
     * send every packet through the IPv4-mapped path.
     */
    static Channel newDatagramChannel(InetAddress forAddress) {
        SocketProtocolFamily family = forAddress instanceof Inet6Address ? SocketProtocolFamily.INET6
                : SocketProtocolFamily.INET;
        return EPOLL ? new EpollDatagramChannel(family) : new NioDatagramChannel(family);
    }

    /** As {@link #newDatagramChannel(InetAddress)}, but of the transport {@code loop} runs. */
    static Channel newDatagramChannel(InetAddress forAddress, EventLoop loop) {
        if (loop instanceof IoEventLoop io && io.isIoType(NioIoHandler.class)) {
            return new NioDatagramChannel(forAddress instanceof Inet6Address ? SocketProtocolFamily.INET6
                    : SocketProtocolFamily.INET);
        }
        return newDatagramChannel(forAddress);
    }

    /**
     * The largest datagram read whole, as Netty's default for datagram channels: TURN messages over
     * UDP stay below the path MTU (RFC 8656 §2.6), far below this.
     */
    static final int DATAGRAM_SIZE = 2048;
    /**
     * Reads of a relay socket, which serves one allocation and usually has one datagram waiting per
     * wake-up: one read per wake-up, because Netty 4.2's epoll is level-triggered (no read that only
     * returns EAGAIN); a second waiting datagram makes epoll report the socket again.
     */
    static void configureRelayReads(Channel relay) {
        if (EPOLL) {
            relay.config().setRecvByteBufAllocator(new FixedRecvByteBufAllocator(DATAGRAM_SIZE).maxMessagesPerRead(1));
        }
    }

    static ServerChannel newServerSocketChannel() {
        return EPOLL ? new EpollServerSocketChannel() : new NioServerSocketChannel();
    }

    /** SO_REUSEPORT, so RFC 6062 connections to peers can leave from the relayed address's port. */
    static ChannelOption<Boolean> reusePort() {
        return EPOLL ? EpollChannelOption.SO_REUSEPORT : NioChannelOption.of(StandardSocketOptions.SO_REUSEPORT);
    }

    static String name() {
        return EPOLL ? "epoll" : "nio";
    }
}
