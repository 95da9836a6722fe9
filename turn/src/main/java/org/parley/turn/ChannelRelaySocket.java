package org.parley.turn;

import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.socket.DatagramPacket;
import io.netty.util.ReferenceCountUtil;
import java.net.InetSocketAddress;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** A relay socket that is a Netty datagram channel: the transport off Linux (NIO). */
final class ChannelRelaySocket extends ChannelInboundHandlerAdapter implements RelaySocket {
    private static final Logger LOG = LoggerFactory.getLogger(ChannelRelaySocket.class);

    private final Channel channel;
    private final DatagramSender sender;
    private Receiver receiver;

    /** {@code channel} is neither registered nor bound yet; this adds itself to its pipeline. */
    ChannelRelaySocket(Channel channel, TurnMetrics metrics) {
        this.channel = channel;
        this.sender = new DatagramSender(channel, metrics);
        channel.pipeline().addLast(this);
    }

    Channel channel() {
        return channel;
    }

    @Override
    public InetSocketAddress localAddress() {
        return (InetSocketAddress) channel.localAddress();
    }

    @Override
    public void receiver(Receiver r) {
        receiver = r;
    }

    @Override
    public void send(ByteBuf buf, int index, int length, InetSocketAddress peer) {
        sender.send(buf, index, length, peer);
    }

    @Override
    public void close() {
        receiver = null;
        channel.close();
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        try {
            if (msg instanceof DatagramPacket packet && receiver != null) {
                ByteBuf content = packet.content();
                receiver.onDatagram(content, content.readerIndex(), content.readableBytes(), packet.sender());
            }
        } catch (RuntimeException e) {
            LOG.debug("dropping relayed packet: {}", e.toString());
        } finally {
            ReferenceCountUtil.release(msg);
        }
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        // ICMP port unreachable from a peer surfaces here as PortUnreachableException; keep the socket.
        LOG.debug("relay socket {}: {}", ctx.channel().localAddress(), cause.toString());
    }
}
