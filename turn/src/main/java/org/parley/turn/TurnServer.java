package org.parley.turn;

import io.micrometer.core.instrument.MeterRegistry;
import io.netty.bootstrap.Bootstrap;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.DatagramPacket;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioDatagramChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import java.net.InetSocketAddress;
import java.time.Clock;
import java.util.List;

/**
 * The STUN/TURN server: owns its listeners and event loops.
 *
 * <p>Foundation state: binds its UDP and TCP listeners; the protocol lands with the TURN issue.
 */
public final class TurnServer implements AutoCloseable {

    private final TurnConfig config;
    private final EventLoopGroup group = new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory());
    private Channel udp;
    private Channel tcp;

    public TurnServer(TurnConfig config, MeterRegistry registry, Clock clock) {
        this.config = config;
    }

    /** Binds every listener; returns one line per listener naming its bound address. */
    public List<String> start() throws InterruptedException {
        udp = new Bootstrap().group(group).channel(NioDatagramChannel.class)
                .handler(new SimpleChannelInboundHandler<DatagramPacket>() {
                    @Override
                    protected void channelRead0(ChannelHandlerContext ctx, DatagramPacket msg) {
                        // Dropped until the protocol lands; SimpleChannelInboundHandler releases it.
                    }
                })
                .bind(config.listeningIp(), config.listeningPort()).sync().channel();
        tcp = new ServerBootstrap().group(group).channel(NioServerSocketChannel.class)
                .childHandler(new ChannelInitializer<SocketChannel>() {
                    @Override
                    protected void initChannel(SocketChannel ch) {
                        ch.close();
                    }
                })
                .bind(config.listeningIp(), config.listeningPort()).sync().channel();
        return List.of("turn udp " + address(udp), "turn tcp " + address(tcp));
    }

    private static String address(Channel channel) {
        InetSocketAddress a = (InetSocketAddress) channel.localAddress();
        return a.getAddress().getHostAddress() + ":" + a.getPort();
    }

    @Override
    public void close() {
        if (udp != null) {
            udp.close().syncUninterruptibly();
        }
        if (tcp != null) {
            tcp.close().syncUninterruptibly();
        }
        group.shutdownGracefully(0, 1, java.util.concurrent.TimeUnit.SECONDS).syncUninterruptibly();
    }
}
