package org.parley.turn;

import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.util.ReferenceCountUtil;

/** Accepts peer connections on a TCP relayed address and hands them to the {@link TcpRelay} (RFC 6062 §5.3). */
final class TcpRelayListenerHandler extends ChannelInboundHandlerAdapter {
    /** Set once the relay is built around the bound listener; confined to the event loop. */
    TcpRelay relay;

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (msg instanceof Channel child) {
            if (relay == null) {
                child.unsafe().closeForcibly();
                return;
            }
            try {
                relay.onPeerConnected(child);
            } catch (RuntimeException e) {
                child.unsafe().closeForcibly();
            }
        } else {
            ReferenceCountUtil.release(msg);
        }
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        // accept() failures (e.g. out of file descriptors) are transient; keep listening.
    }
}
