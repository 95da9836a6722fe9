package org.parley.server.http;

import io.netty.channel.ChannelDuplexHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelPromise;
import io.netty.channel.socket.SocketChannel;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.util.concurrent.ScheduledFuture;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

/**
 * Closes an HTTP connection that does not deliver a complete request in time: the header timeout
 * runs from the connection's start to its first request, the idle timeout from each response to
 * the next request. Nothing runs while a request is being answered (the relay API's long poll may
 * take a while). Sits after the aggregator, so "a request" means all of it, head and body: a
 * client trickling bytes (slowloris) gains nothing. The router removes it when the connection
 * becomes a WebSocket, which has its own hello timeout and keepalive.
 */
final class RequestTimeouts extends ChannelDuplexHandler {

    private final Duration headerTimeout;
    private final Duration idleTimeout;
    private final ConnectionGuard guard;
    private ScheduledFuture<?> timer;
    private int inFlight;

    RequestTimeouts(Duration headerTimeout, Duration idleTimeout, ConnectionGuard guard) {
        this.headerTimeout = headerTimeout;
        this.idleTimeout = idleTimeout;
        this.guard = guard;
    }

    @Override
    public void handlerAdded(ChannelHandlerContext ctx) {
        if (ctx.channel().isActive()) {
            arm(ctx, headerTimeout, ConnectionGuard.Reason.HEADER_TIMEOUT);
        }
    }

    @Override
    public void channelActive(ChannelHandlerContext ctx) {
        if (timer == null) {
            arm(ctx, headerTimeout, ConnectionGuard.Reason.HEADER_TIMEOUT);
        }
        ctx.fireChannelActive();
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (msg instanceof HttpRequest) {
            cancel();
            inFlight++;
        }
        ctx.fireChannelRead(msg);
    }

    @Override
    public void write(ChannelHandlerContext ctx, Object msg, ChannelPromise promise) {
        if (msg instanceof LastHttpContent) {
            // The response is complete once written; the idle time starts then.
            ctx.write(msg, promise.unvoid()).addListener(f -> {
                inFlight = Math.max(0, inFlight - 1);
                if (inFlight == 0 && ctx.channel().isActive() && !ctx.isRemoved()) {
                    arm(ctx, idleTimeout, ConnectionGuard.Reason.IDLE_TIMEOUT);
                }
            });
            return;
        }
        ctx.write(msg, promise);
    }

    @Override
    public void handlerRemoved(ChannelHandlerContext ctx) {
        cancel();
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        cancel();
        ctx.fireChannelInactive();
    }

    private void arm(ChannelHandlerContext ctx, Duration after, ConnectionGuard.Reason reason) {
        cancel();
        timer = ctx.executor().schedule(() -> {
            if (ctx.channel().isActive() && inFlight == 0) {
                guard.timedOut((SocketChannel) ctx.channel(), reason);
                ctx.channel().close();
            }
        }, after.toNanos(), TimeUnit.NANOSECONDS);
    }

    private void cancel() {
        if (timer != null) {
            timer.cancel(false);
            timer = null;
        }
    }
}
