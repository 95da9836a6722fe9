package org.parley.server.http;

import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.socket.SocketChannel;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.util.ReferenceCountUtil;
import java.net.InetAddress;

/**
 * On a connection from a trusted reverse proxy, reads who the client is from the first request's
 * X-Forwarded-For and counts the connection against that client's per-address cap; a client at its
 * cap gets 503 and the connection is closed, as a direct one would be. The first request decides:
 * the recipes in docs/operations.md open one upstream connection per client connection (WebSockets
 * need their own anyway), so later requests come from the same client.
 */
final class ForwardedClient extends ChannelInboundHandlerAdapter {

    static final CharSequence X_FORWARDED_FOR = "X-Forwarded-For";

    private final TrustedProxies proxies;
    private final ConnectionGuard guard;

    ForwardedClient(TrustedProxies proxies, ConnectionGuard guard) {
        this.proxies = proxies;
        this.guard = guard;
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (!(msg instanceof HttpRequest request)) {
            ctx.fireChannelRead(msg);
            return;
        }
        SocketChannel channel = (SocketChannel) ctx.channel();
        InetAddress proxy = channel.remoteAddress().getAddress();
        InetAddress client = proxies.client(proxy, request.headers().getAll(X_FORWARDED_FOR));
        ctx.pipeline().remove(this);
        if (!guard.attribute(channel, client)) {
            ReferenceCountUtil.release(msg);
            return;
        }
        ctx.fireChannelRead(msg);
    }
}
