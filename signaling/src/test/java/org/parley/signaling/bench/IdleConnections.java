package org.parley.signaling.bench;

import io.netty.bootstrap.Bootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.epoll.EpollIoHandler;
import io.netty.channel.epoll.EpollSocketChannel;
import io.netty.channel.socket.SocketChannel;
import io.netty.handler.codec.http.DefaultHttpHeaders;
import io.netty.handler.codec.http.HttpClientCodec;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.websocketx.TextWebSocketFrame;
import io.netty.handler.codec.http.websocketx.WebSocketClientHandshakerFactory;
import io.netty.handler.codec.http.websocketx.WebSocketClientProtocolHandler;
import io.netty.handler.codec.http.websocketx.WebSocketVersion;
import java.net.URI;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.function.IntFunction;

/**
 * The benchmark's idle crowd: many signed-in signaling connections held by one Netty event loop,
 * each sending {@code hello} and then a {@code ping} every 20 s as an idle app does. The JDK's
 * WebSocket client costs a few threads' worth of state per connection and stopped completing opens
 * near 19,000; this keeps the client side light so the server, not the client, is what is measured.
 */
final class IdleConnections implements AutoCloseable {

    private static final long PING_SECONDS = 20;

    private final EventLoopGroup group = new MultiThreadIoEventLoopGroup(1, EpollIoHandler.newFactory());
    private final List<Channel> channels = new ArrayList<>();

    /**
     * Opens one connection and completes once its {@code welcome} arrived; fails if the handshake,
     * the sign-in or the TCP connect fails.
     */
    CompletableFuture<Channel> open(URI uri, String token, String device) {
        CompletableFuture<Channel> welcomed = new CompletableFuture<>();
        String hello = "{\"type\":\"hello\",\"id\":\"h\",\"token\":\"" + token + "\",\"device\":\"" + device + "\"}";
        Bootstrap b = new Bootstrap().group(group).channel(EpollSocketChannel.class)
                .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, 30_000)
                .handler(new ChannelInitializer<SocketChannel>() {
                    @Override
                    protected void initChannel(SocketChannel ch) {
                        ch.pipeline().addLast(new HttpClientCodec(), new HttpObjectAggregator(65536),
                                new WebSocketClientProtocolHandler(WebSocketClientHandshakerFactory.newHandshaker(
                                        uri, WebSocketVersion.V13, null, false, new DefaultHttpHeaders(), 65536)),
                                new Signer(hello, welcomed));
                    }
                });
        b.connect(uri.getHost(), uri.getPort()).addListener(f -> {
            if (!f.isSuccess()) {
                welcomed.completeExceptionally(f.cause());
            }
        });
        return welcomed.thenApply(ch -> {
            synchronized (channels) {
                channels.add(ch);
            }
            return ch;
        });
    }

    /** Connections whose channel is still open. */
    long open() {
        synchronized (channels) {
            return channels.stream().filter(Channel::isActive).count();
        }
    }

    /** Opens {@code count} connections, at most {@code parallel} handshakes at a time. */
    static long openAll(IdleConnections idle, URI uri, int count, IntFunction<String> token, int parallel)
            throws InterruptedException {
        java.util.concurrent.Semaphore inFlight = new java.util.concurrent.Semaphore(parallel);
        java.util.concurrent.atomic.AtomicLong failed = new java.util.concurrent.atomic.AtomicLong();
        long t0 = System.nanoTime();
        for (int i = 0; i < count; i++) {
            inFlight.acquire();
            if (i > 0 && i % 5000 == 0) {
                System.out.printf("  %d idle connections opened after %.1f s%n", i, (System.nanoTime() - t0) / 1e9);
            }
            idle.open(uri, token.apply(i), "idle").orTimeout(60, TimeUnit.SECONDS).whenComplete((ch, e) -> {
                inFlight.release();
                if (e != null && failed.incrementAndGet() <= 3) {
                    System.out.println("  idle connection failed: " + e);
                }
            });
        }
        inFlight.acquire(parallel);
        return failed.get();
    }

    @Override
    public void close() {
        group.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
    }

    /** Sends hello once the WebSocket is up, waits for welcome, then pings every 20 s. */
    private static final class Signer extends SimpleChannelInboundHandler<TextWebSocketFrame> {

        private final String hello;
        private final CompletableFuture<Channel> welcomed;
        private java.util.concurrent.ScheduledFuture<?> pinger;

        Signer(String hello, CompletableFuture<Channel> welcomed) {
            this.hello = hello;
            this.welcomed = welcomed;
        }

        @Override
        public void userEventTriggered(ChannelHandlerContext ctx, Object evt) throws Exception {
            if (evt == WebSocketClientProtocolHandler.ClientHandshakeStateEvent.HANDSHAKE_COMPLETE) {
                ctx.writeAndFlush(new TextWebSocketFrame(hello));
            }
            super.userEventTriggered(ctx, evt);
        }

        @Override
        protected void channelRead0(ChannelHandlerContext ctx, TextWebSocketFrame frame) {
            if (!welcomed.isDone() && frame.text().contains("\"welcome\"")) {
                welcomed.complete(ctx.channel());
                // spread the pings over the interval so they do not arrive in one burst
                long first = ThreadLocalRandom.current().nextLong(PING_SECONDS * 1000);
                pinger = ctx.executor().scheduleAtFixedRate(() -> ctx.writeAndFlush(
                        new TextWebSocketFrame("{\"type\":\"ping\",\"id\":\"p\"}")), first, PING_SECONDS * 1000,
                        TimeUnit.MILLISECONDS);
            }
        }

        @Override
        public void channelInactive(ChannelHandlerContext ctx) throws Exception {
            welcomed.completeExceptionally(new IllegalStateException("closed before welcome"));
            if (pinger != null) {
                pinger.cancel(false);
            }
            super.channelInactive(ctx);
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            welcomed.completeExceptionally(cause);
            ctx.close();
        }
    }
}
