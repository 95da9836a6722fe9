package org.parley.server.http;

import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandler.Sharable;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.function.IntSupplier;
import org.parley.signaling.transport.SignalingFrameHandler;

/**
 * The whole of the plain-HTTP redirect listener: every request, whatever its method, is answered
 * 308 Permanent Redirect (RFC 9110 §15.4.9, which unlike 301 keeps the method and body) to the
 * same host, path and query over HTTPS. Nothing is served in the clear, so no page, token or
 * signaling message can be read on the way.
 */
@Sharable
final class HttpsRedirect extends SimpleChannelInboundHandler<FullHttpRequest> {

    private static final String HTTPS_DEFAULT_PORT = "443";

    private final IntSupplier httpsPort;

    /** {@code httpsPort}: the HTTPS listener's bound port, read per request (it may be chosen at bind time). */
    HttpsRedirect(IntSupplier httpsPort) {
        this.httpsPort = httpsPort;
    }

    @Override
    protected void channelRead0(ChannelHandlerContext ctx, FullHttpRequest request) {
        boolean keepAlive = HttpUtil.isKeepAlive(request);
        // A Host header is mandatory in HTTP/1.1 (RFC 9112 §3.2); without a plain name there is
        // nowhere safe to send the client, and a crafted one must not reach the Location header.
        String host = SignalingFrameHandler.hostOf(request.headers().get(HttpHeaderNames.HOST), null);
        if (!request.decoderResult().isSuccess() || host == null) {
            byte[] body = "bad request: a Host header naming this server is needed\n".getBytes(StandardCharsets.UTF_8);
            FullHttpResponse bad = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.BAD_REQUEST,
                    Unpooled.wrappedBuffer(body));
            bad.headers().set(HttpHeaderNames.CONTENT_TYPE, "text/plain; charset=utf-8");
            bad.headers().setInt(HttpHeaderNames.CONTENT_LENGTH, body.length);
            ctx.writeAndFlush(bad).addListener(ChannelFutureListener.CLOSE);
            return;
        }
        String port = Integer.toString(httpsPort.getAsInt());
        String location = "https://" + host + (port.equals(HTTPS_DEFAULT_PORT) ? "" : ":" + port)
                + pathAndQuery(request.uri());
        FullHttpResponse response = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1,
                HttpResponseStatus.PERMANENT_REDIRECT, Unpooled.EMPTY_BUFFER);
        response.headers().set(HttpHeaderNames.LOCATION, location);
        response.headers().setInt(HttpHeaderNames.CONTENT_LENGTH, 0);
        if (keepAlive) {
            response.headers().set(HttpHeaderNames.CONNECTION, HttpHeaderValues.KEEP_ALIVE);
            ctx.writeAndFlush(response);
        } else {
            ctx.writeAndFlush(response).addListener(ChannelFutureListener.CLOSE);
        }
    }

    /**
     * The request target's path and query as the client sent them: origin form ({@code /a?b}) as
     * it is, absolute form ({@code http://host/a?b}, RFC 9112 §3.2.2) without its scheme and host.
     */
    static String pathAndQuery(String target) {
        if (target.startsWith("/")) {
            return target;
        }
        try {
            URI uri = new URI(target);
            // Anything but an absolute path (the asterisk form, RFC 9112 §3.2.4) goes to the root.
            String path = uri.getRawPath() == null || !uri.getRawPath().startsWith("/") ? "/" : uri.getRawPath();
            return uri.getRawQuery() == null ? path : path + "?" + uri.getRawQuery();
        } catch (java.net.URISyntaxException e) {
            return "/";
        }
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        ctx.close();
    }
}
