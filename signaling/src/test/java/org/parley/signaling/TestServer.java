package org.parley.signaling;

import com.typesafe.config.ConfigFactory;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.QueryStringDecoder;
import io.netty.util.ResourceLeakDetector;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.parley.relay.control.RelayControl;
import org.parley.signaling.auth.Role;
import org.parley.signaling.auth.TokenIssuer;
import org.parley.signaling.client.SignalingClient;

/**
 * A real Netty HTTP server on a free loopback port with {@link SignalingService} at /ws, routed the
 * way the server module's HttpRouter does it, and time under the test's control.
 */
public final class TestServer implements AutoCloseable {

    static {
        ResourceLeakDetector.setLevel(ResourceLeakDetector.Level.PARANOID);
    }

    public static final byte[] SECRET = "test-secret-test-secret-test-secret!".getBytes(StandardCharsets.UTF_8);

    public final ManualScheduler time = new ManualScheduler(Instant.parse("2026-01-01T00:00:00Z"));
    public final SimpleMeterRegistry registry = new SimpleMeterRegistry();
    public final SignalingService signaling;
    public final SignalingConfig config;
    private final EventLoopGroup group = new MultiThreadIoEventLoopGroup(2, NioIoHandler.newFactory());
    private final Channel channel;
    private final TokenIssuer issuer = new TokenIssuer(SECRET, time);
    private final SignalingLoop loop = new SignalingLoop(time, time);

    public TestServer() {
        this("", Optional.empty());
    }

    /** {@code overrides}: HOCON under parley.signaling, e.g. {@code "calls.ring-timeout = 5s"}. */
    public TestServer(String overrides, Optional<RelayControl> relay) {
        // Test time stands still unless advanced: keepalive and the rate limit's refill would otherwise
        // interfere with tests that move time for other reasons, so they are relaxed unless overridden.
        String base = "ping-interval = 1h\nrate-limit.burst = 1000\n";
        config = SignalingConfig.from(ConfigFactory.parseString("parley.signaling {\n" + base + overrides + "\n}")
                .withFallback(ConfigFactory.defaultReference()).resolve());
        signaling = new SignalingService(config, SECRET, relay, registry, loop);
        channel = new ServerBootstrap().group(group).channel(NioServerSocketChannel.class)
                .childHandler(new ChannelInitializer<SocketChannel>() {
                    @Override
                    protected void initChannel(SocketChannel ch) {
                        ch.pipeline().addLast(new HttpServerCodec(), new HttpObjectAggregator(64 * 1024), new Router());
                    }
                })
                .bind("127.0.0.1", 0).syncUninterruptibly().channel();
    }

    private final class Router extends SimpleChannelInboundHandler<FullHttpRequest> {
        Router() {
            super(false);
        }

        @Override
        protected void channelRead0(ChannelHandlerContext ctx, FullHttpRequest request) {
            if (new QueryStringDecoder(request.uri()).path().equals(SignalingService.WEBSOCKET_PATH)) {
                signaling.installWebSocket(ctx.pipeline());
                ctx.pipeline().remove(this);
                ctx.fireChannelRead(request);
                return;
            }
            request.release();
            ctx.writeAndFlush(new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.NOT_FOUND,
                    Unpooled.EMPTY_BUFFER)).addListener(ChannelFutureListener.CLOSE);
        }
    }

    public URI uri() {
        return URI.create("ws://127.0.0.1:" + ((InetSocketAddress) channel.localAddress()).getPort() + "/ws");
    }

    public String token(String user) {
        return issuer.issue(user, Optional.of(user.toUpperCase()), Optional.empty(), Optional.empty(),
                Duration.ofHours(1));
    }

    public String token(String user, Duration ttl) {
        return issuer.issue(user, Optional.empty(), Optional.empty(), Optional.empty(), ttl);
    }

    public String roomToken(String user, String room, Role role) {
        return issuer.issue(user, Optional.empty(), Optional.of(room), Optional.of(role), Duration.ofHours(1));
    }

    public SignalingClient connect() {
        return SignalingClient.connect(uri(), Duration.ofSeconds(5));
    }

    /** A connected, signed-in client of {@code user} on {@code device}. */
    public SignalingClient signIn(String user, String device) {
        SignalingClient c = connect();
        c.hello(token(user), device);
        return c;
    }

    /**
     * Moves time forward and returns once everything that fell due has run. A timer that fires only
     * hands its task to the signaling loop, and that task may arm a new timer (the keepalive check
     * re-arms itself for the rest of the idle limit) while the clock already stands at the target; so
     * the loop is drained and time re-advanced by zero until nothing is due. Without this the test
     * thread raced the loop thread and a re-armed timer could be left behind, due but never run.
     */
    public void advance(Duration d) {
        time.advance(d);
        do {
            drainLoop();
        } while (time.advance(Duration.ZERO));
    }

    private void drainLoop() {
        var done = new java.util.concurrent.CountDownLatch(1);
        loop.execute(done::countDown);
        try {
            if (!done.await(10, TimeUnit.SECONDS)) {
                throw new AssertionError("signaling loop did not drain within 10 s");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
    }

    /** Value of a counter, 0 if it was never incremented. */
    public double count(String name, String tag, String value) {
        var c = registry.find(name).tag(tag, value).counter();
        return c == null ? 0 : c.count();
    }

    @Override
    public void close() {
        signaling.close();
        channel.close().syncUninterruptibly();
        group.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
    }
}
