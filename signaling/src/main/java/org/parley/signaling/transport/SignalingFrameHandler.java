package org.parley.signaling.transport;

import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.TooLongFrameException;
import io.netty.handler.codec.http.websocketx.TextWebSocketFrame;
import io.netty.handler.codec.http.websocketx.WebSocketFrame;
import io.netty.handler.codec.http.websocketx.WebSocketServerProtocolHandler.HandshakeComplete;
import io.netty.util.ReferenceCountUtil;
import java.time.Clock;
import org.parley.signaling.SignalingConfig;
import org.parley.signaling.wire.CloseCode;
import org.parley.signaling.wire.ErrorCode;
import org.parley.signaling.wire.Json;
import org.parley.signaling.wire.MessageParser;
import org.parley.signaling.wire.ProtocolException;
import org.parley.signaling.wire.Request;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Turns WebSocket frames of one connection into requests: checks the rate limit and the envelope
 * on the Netty thread (so a flood or garbage never reaches the signaling loop) and answers
 * envelope errors itself. Nothing escapes: every frame is released, every exception handled.
 */
public final class SignalingFrameHandler extends ChannelInboundHandlerAdapter {

    private static final Logger LOG = LoggerFactory.getLogger(SignalingFrameHandler.class);

    private final ConnectionListener listener;
    private final Clock clock;
    private final RateLimiter limiter;
    private Connection connection;
    /** Set once the client flooded past the limit: nothing more is admitted, the close is on its way. */
    private boolean flooded;

    public SignalingFrameHandler(SignalingConfig config, ConnectionListener listener, Clock clock) {
        this.listener = listener;
        this.clock = clock;
        this.limiter = new RateLimiter(config.rateLimit().messagesPerSecond(), config.rateLimit().burst(), clock);
    }

    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
        if (evt instanceof HandshakeComplete handshake && connection == null) {
            connection = new Connection(ctx.channel(), clock, hostOf(handshake.requestHeaders().get("Host"), localHost(ctx)));
            listener.opened(connection);
        }
        ctx.fireUserEventTriggered(evt);
    }

    /**
     * The host part of a Host header ("example.org:8080", "[::1]:8080", "example.org"); the local
     * address when there is none or it is not a plain name, so a crafted header cannot inject text
     * into the ICE URLs.
     */
    public static String hostOf(String header, String fallback) {
        if (header != null) {
            String h = header.trim();
            if (h.startsWith("[")) {
                int end = h.indexOf(']');
                h = end > 0 ? h.substring(0, end + 1) : "";
            } else if (h.indexOf(':') >= 0) {
                h = h.substring(0, h.indexOf(':'));
            }
            if (HOST_NAME.matcher(h).matches()) {
                return h;
            }
        }
        return fallback;
    }

    private static String localHost(ChannelHandlerContext ctx) {
        java.net.SocketAddress local = ctx.channel().localAddress();
        if (local instanceof java.net.InetSocketAddress inet && inet.getAddress() != null) {
            String a = inet.getAddress().getHostAddress();
            return a.indexOf(':') >= 0 ? "[" + a.replaceAll("%.*", "") + "]" : a;
        }
        return "localhost";
    }

    private static final java.util.regex.Pattern HOST_NAME =
            java.util.regex.Pattern.compile("[A-Za-z0-9.-]{1,253}|\\[[0-9A-Fa-f:.]{2,45}\\]");

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (!(msg instanceof WebSocketFrame frame)) {
            ctx.fireChannelRead(msg);
            return;
        }
        try {
            if (connection == null || !connection.isOpen() || flooded) {
                // Read and dropped, not left unread: see Connection.close.
                return;
            }
            if (!(frame instanceof TextWebSocketFrame text)) {
                refuse(null, new ProtocolException(ErrorCode.MALFORMED_MESSAGE, "only text frames are accepted"));
                return;
            }
            onText(text.text());
        } catch (RuntimeException e) {
            LOG.warn("frame handling failed on {}", connection, e);
        } finally {
            ReferenceCountUtil.release(frame);
        }
    }

    private void onText(String text) {
        connection.touch(clock.millis());
        RateLimiter.Verdict verdict = limiter.take();
        if (verdict == RateLimiter.Verdict.CLOSE) {
            // Requests admitted before this one still get their replies, then the close frame.
            flooded = true;
            listener.refused(ErrorCode.RATE_LIMITED.wireName());
            connection.closeWhenAnswered(CloseCode.RATE_LIMITED);
            return;
        }
        Request request;
        try {
            request = MessageParser.parse(text);
        } catch (MessageParser.Failure f) {
            refuse(f.id(), f.error());
            return;
        }
        if (verdict == RateLimiter.Verdict.REFUSE) {
            if (request.id() != null) {
                refuse(request.id(), new ProtocolException(ErrorCode.RATE_LIMITED, "too many messages; slow down"));
            } else {
                listener.refused(ErrorCode.RATE_LIMITED.wireName());
            }
            return;
        }
        connection.admitted(request);
        listener.received(connection, request);
    }

    private void refuse(com.fasterxml.jackson.databind.JsonNode id, ProtocolException e) {
        listener.refused(e.code().wireName());
        connection.refuse(Json.error(id, e.code(), e.getMessage()));
    }

    @Override
    public void channelWritabilityChanged(ChannelHandlerContext ctx) {
        if (connection != null) {
            connection.writable(ctx.channel().isWritable());
        }
        ctx.fireChannelWritabilityChanged();
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        if (connection != null) {
            listener.closed(connection);
        }
        ctx.fireChannelInactive();
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        if (cause instanceof TooLongFrameException && connection != null) {
            // RFC 6455 §7.4.1: 1009 says the message was too big to process.
            listener.refused("message_too_big");
            connection.close(CloseCode.MESSAGE_TOO_BIG);
            return;
        }
        LOG.debug("closing {} after {}", ctx.channel().remoteAddress(), cause.toString());
        ctx.close();
    }
}
