package org.parley.turn;

import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.socket.DatagramPacket;
import io.netty.util.ReferenceCountUtil;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A UDP listening socket that is a Netty channel (NIO, off Linux): hands each datagram to the
 * socket's {@link UdpClients} and releases it. Nothing thrown leaves this handler.
 */
final class UdpListenerHandler extends ChannelInboundHandlerAdapter {
    private static final Logger LOG = LoggerFactory.getLogger(UdpListenerHandler.class);

    private final TurnContext ctx;
    private final StunDispatcher dispatcher;
    /** Set when the handler is added to its channel; one per listening socket. */
    private UdpClients clients;

    UdpListenerHandler(TurnContext ctx, StunDispatcher dispatcher) {
        this.ctx = ctx;
        this.dispatcher = dispatcher;
    }

    @Override
    public void handlerAdded(ChannelHandlerContext c) {
        clients = new UdpClients(ctx, dispatcher, new DatagramSender(c.channel(), ctx.metrics()), c.alloc());
    }

    @Override
    public void handlerRemoved(ChannelHandlerContext c) {
        clients.close();
    }

    @Override
    public void channelRead(ChannelHandlerContext c, Object msg) {
        try {
            if (msg instanceof DatagramPacket packet) {
                clients.onDatagram(packet.content(), packet.sender(), packet.recipient());
            }
        } finally {
            ReferenceCountUtil.release(msg);
        }
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext c, Throwable cause) {
        LOG.debug("UDP listener {}: {}", c.channel().localAddress(), cause.toString());
    }
}
