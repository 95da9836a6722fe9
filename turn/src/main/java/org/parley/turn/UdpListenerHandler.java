package org.parley.turn;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.socket.DatagramPacket;
import io.netty.util.ReferenceCountUtil;
import java.net.InetSocketAddress;
import java.util.HashMap;
import java.util.Map;
import org.parley.turn.stun.ChannelData;
import org.parley.turn.stun.StunMessage;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The UDP listening socket: tells STUN from ChannelData by the first two bits (RFC 8656 §12) and
 * finds the sender's allocation by its address. Nothing thrown leaves this handler; every packet is
 * released here.
 */
final class UdpListenerHandler extends ChannelInboundHandlerAdapter {
    private static final Logger LOG = LoggerFactory.getLogger(UdpListenerHandler.class);

    private final TurnContext ctx;
    private final StunDispatcher dispatcher;
    /** Clients of this socket that hold an allocation. */
    private final Map<InetSocketAddress, UdpClientLink> links = new HashMap<>();
    /** Set when the handler is added to its channel; one per listening socket. */
    private DatagramSender sender;

    UdpListenerHandler(TurnContext ctx, StunDispatcher dispatcher) {
        this.ctx = ctx;
        this.dispatcher = dispatcher;
    }

    @Override
    public void handlerAdded(ChannelHandlerContext c) {
        sender = new DatagramSender(c.channel(), ctx.metrics());
    }

    @Override
    public void handlerRemoved(ChannelHandlerContext c) {
        sender.release();
    }

    @Override
    public void channelRead(ChannelHandlerContext c, Object msg) {
        try {
            if (msg instanceof DatagramPacket packet) {
                read(c, packet);
            }
        } catch (RuntimeException e) {
            ctx.metrics().malformed();
            LOG.debug("dropping datagram: {}", e.toString());
        } finally {
            ReferenceCountUtil.release(msg);
        }
    }

    private void read(ChannelHandlerContext c, DatagramPacket packet) {
        ByteBuf content = packet.content();
        InetSocketAddress sender = packet.sender();
        UdpClientLink link = links.get(sender);
        if (ChannelData.looksLikeChannelData(content)) {
            if (link != null && link.allocation != null) {
                link.allocation.relayChannelData(content);
            }
        } else if (StunMessage.looksLikeStun(content)) {
            if (link == null) {
                link = new UdpClientLink(c.channel(), this.sender, sender, packet.recipient(), links);
            }
            dispatcher.onStun(link, content);
        } else {
            ctx.metrics().malformed();
        }
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext c, Throwable cause) {
        LOG.debug("UDP listener {}: {}", c.channel().localAddress(), cause.toString());
    }
}
