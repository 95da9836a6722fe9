package org.parley.turn;

import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.socket.DatagramPacket;
import io.netty.util.ReferenceCountUtil;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Reads datagrams from peers on one relayed socket and hands them to its allocation (RFC 8656 §11.3). */
final class RelayDatagramHandler extends ChannelInboundHandlerAdapter {
    private static final Logger LOG = LoggerFactory.getLogger(RelayDatagramHandler.class);

    /** Set right after the allocation is built; confined to the event loop. */
    Allocation allocation;
    private boolean wrote;

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        try {
            if (msg instanceof DatagramPacket packet && allocation != null && !allocation.isClosed()) {
                allocation.relayToClient(packet.content(), packet.sender());
                wrote = true;
            }
        } catch (RuntimeException e) {
            LOG.debug("dropping relayed packet: {}", e.toString());
        } finally {
            ReferenceCountUtil.release(msg);
        }
    }

    @Override
    public void channelReadComplete(ChannelHandlerContext ctx) {
        // One flush per read batch rather than per packet.
        if (wrote && allocation != null) {
            wrote = false;
            allocation.flushToClient();
        }
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        // ICMP port unreachable from a peer surfaces here as PortUnreachableException; keep the socket.
        LOG.debug("relay socket {}: {}", ctx.channel().localAddress(), cause.toString());
    }
}
