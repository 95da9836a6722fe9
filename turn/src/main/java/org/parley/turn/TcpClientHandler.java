package org.parley.turn;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.util.ReferenceCountUtil;
import org.parley.turn.stun.ChannelData;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One client's TCP or TLS connection: STUN to the dispatcher, ChannelData to its allocation. The
 * connection is the 5-tuple, so closing it deletes the allocation (RFC 8656 §3.1, RFC 6062 §5.1).
 */
final class TcpClientHandler extends ChannelInboundHandlerAdapter {
    private static final Logger LOG = LoggerFactory.getLogger(TcpClientHandler.class);

    private final TurnContext ctx;
    private final StunDispatcher dispatcher;
    private final TransportProtocol protocol;
    private TcpClientLink link;

    TcpClientHandler(TurnContext ctx, StunDispatcher dispatcher, TransportProtocol protocol) {
        this.ctx = ctx;
        this.dispatcher = dispatcher;
        this.protocol = protocol;
    }

    @Override
    public void handlerAdded(ChannelHandlerContext c) {
        link = new TcpClientLink(c.channel(), protocol);
    }

    @Override
    public void channelRead(ChannelHandlerContext c, Object msg) {
        try {
            if (msg instanceof ByteBuf frame) {
                if (ChannelData.looksLikeChannelData(frame)) {
                    Allocation a = link.allocation;
                    if (a != null) {
                        a.relayChannelData(frame);
                    }
                } else {
                    dispatcher.onStun(link, frame);
                }
            }
        } catch (RuntimeException e) {
            ctx.metrics().malformed();
            LOG.debug("dropping frame from {}: {}", link.fiveTuple(), e.toString());
        } finally {
            ReferenceCountUtil.release(msg);
        }
    }

    @Override
    public void channelInactive(ChannelHandlerContext c) {
        Allocation a = link.allocation;
        if (a != null) {
            ctx.table().remove(a);
        }
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext c, Throwable cause) {
        LOG.debug("client connection {}: {}", link.fiveTuple(), cause.toString());
        c.close();
    }
}
