package org.parley.signaling;

import io.micrometer.core.instrument.MeterRegistry;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelPipeline;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.handler.codec.http.websocketx.TextWebSocketFrame;
import io.netty.handler.codec.http.websocketx.WebSocketServerProtocolHandler;
import java.time.Clock;
import java.util.Optional;
import org.parley.relay.control.RelayControl;

/**
 * Call control: the WebSocket endpoint every client talks to.
 *
 * <p>Foundation state: accepts the WebSocket; the protocol lands with the signaling issue.
 */
public final class SignalingService implements AutoCloseable {

    /** The path clients connect to. */
    public static final String WEBSOCKET_PATH = "/ws";

    private final SignalingConfig config;
    private volatile boolean draining;

    public SignalingService(SignalingConfig config, byte[] secret, Optional<RelayControl> relay,
            MeterRegistry registry, Clock clock) {
        this.config = config;
    }

    /**
     * Adds the WebSocket handlers to a pipeline that already decodes and aggregates HTTP; the
     * caller then passes the upgrade request on.
     */
    public void installWebSocket(ChannelPipeline pipeline) {
        pipeline.addLast(new WebSocketServerProtocolHandler(WEBSOCKET_PATH, null, true,
                config.maxFrameBytes()));
        pipeline.addLast(new SimpleChannelInboundHandler<TextWebSocketFrame>() {
            @Override
            protected void channelRead0(ChannelHandlerContext ctx, TextWebSocketFrame frame) {
                ctx.writeAndFlush(new TextWebSocketFrame(
                        "{\"type\":\"error\",\"code\":\"not_implemented\"}"));
            }
        });
    }

    /** Stops accepting new calls; live calls go on. */
    public void drain() {
        draining = true;
    }

    /** Calls and conferences still live; the server waits for zero (or the grace period) to stop. */
    public int liveCalls() {
        return 0;
    }

    @Override
    public void close() {
        draining = true;
    }
}
