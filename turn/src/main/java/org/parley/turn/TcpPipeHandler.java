package org.parley.turn;

import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.util.ReferenceCountUtil;

/**
 * Copies bytes from one side of an RFC 6062 connection to the other (client data connection and
 * peer connection), pausing reads when the other side cannot keep up.
 */
final class TcpPipeHandler extends ChannelInboundHandlerAdapter {
    private final TcpPeerConnection connection;
    private final TurnMetrics metrics;
    private final boolean fromClient;
    private Channel partner;

    TcpPipeHandler(TcpPeerConnection connection, Channel partner, TurnMetrics metrics, boolean fromClient) {
        this.connection = connection;
        this.partner = partner;
        this.metrics = metrics;
        this.fromClient = fromClient;
    }

    void partner(Channel partner) {
        this.partner = partner;
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (partner == null || !(msg instanceof ByteBuf buf)) {
            ReferenceCountUtil.release(msg);
            return;
        }
        int n = buf.readableBytes();
        if (fromClient) {
            metrics.bytesToPeer += n;
            metrics.packetsToPeer++;
        } else {
            metrics.bytesToClient += n;
            metrics.packetsToClient++;
        }
        partner.write(buf, partner.voidPromise());
    }

    @Override
    public void channelReadComplete(ChannelHandlerContext ctx) {
        if (partner != null) {
            partner.flush();
            if (!partner.isWritable()) {
                ctx.channel().config().setAutoRead(false);
            }
        }
    }

    @Override
    public void channelWritabilityChanged(ChannelHandlerContext ctx) {
        // Our side drained: let the partner read again.
        if (partner != null && ctx.channel().isWritable()) {
            partner.config().setAutoRead(true);
        }
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        connection.close();
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        connection.close();
    }
}
