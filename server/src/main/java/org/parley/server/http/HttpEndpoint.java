package org.parley.server.http;

import com.sun.management.UnixOperatingSystemMXBean;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.binder.netty4.NettyEventExecutorMetrics;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.IoHandlerFactory;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.ServerChannel;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.epoll.EpollIoHandler;
import io.netty.channel.epoll.EpollServerSocketChannel;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpServerCodec;
import java.lang.management.ManagementFactory;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.parley.server.config.HttpConfig;
import org.parley.server.tls.ReloadingCertificate;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The HTTP listener shared by the web app, /ws, /health, /metrics and the APIs: HTTPS and WSS
 * with a configured certificate, plain HTTP without; and, if asked for, a plain-HTTP listener that
 * only redirects to HTTPS.
 */
public final class HttpEndpoint implements AutoCloseable {

    /** Requests are small (no uploads); WebSocket frames have their own limit. */
    private static final int MAX_REQUEST_BYTES = 64 * 1024;

    private static final Logger LOG = LoggerFactory.getLogger(HttpEndpoint.class);

    private final HttpConfig config;
    private final HttpRouter router;
    private final ConnectionGuard guard;
    private final MeterRegistry registry;
    private final EventLoopGroup group;
    private final Class<? extends ServerChannel> channelType;
    private Channel channel;
    private Channel redirectChannel;
    private ReloadingCertificate certificate;

    public HttpEndpoint(HttpConfig config, HttpRouter router, MeterRegistry registry) {
        this.config = config;
        this.router = router;
        this.guard = new ConnectionGuard(config, registry);
        this.registry = registry;
        boolean epoll = Epoll.isAvailable();
        IoHandlerFactory io = epoll ? EpollIoHandler.newFactory() : NioIoHandler.newFactory();
        this.group = new MultiThreadIoEventLoopGroup(io);
        this.channelType = epoll ? EpollServerSocketChannel.class : NioServerSocketChannel.class;
        new NettyEventExecutorMetrics(group).bindTo(registry);
    }

    /**
     * Binds the listener (HTTPS when a certificate is configured) and the redirect listener when
     * asked for; returns one "PART PROTO host:port" line per bound listener.
     */
    public List<String> start() throws Exception {
        List<String> bound = new ArrayList<>();
        if (config.tls().isPresent()) {
            certificate = ReloadingCertificate.load(config.tls().get());
            certificate.watch(group);
            ReloadingCertificate served = certificate;
            // A timestamp, as Prometheus' own blackbox exporter gives it: alert on it minus time().
            Gauge.builder("parley.http.tls.certificate.expiry.timestamp",
                    () -> served.current().notAfter().getEpochSecond()).baseUnit("seconds")
                    .description("When the certificate new HTTPS connections get expires, in seconds since the Unix epoch")
                    .register(registry);
        }
        channel = bind(config.port(), router, certificate);
        // The configured host, not the socket's: a dual-stack wildcard socket reports "::" for "0.0.0.0".
        bound.add((certificate != null ? "http tls " : "http tcp ") + config.host() + ":" + port());
        if (config.redirectPort() != HttpConfig.NO_REDIRECT) {
            redirectChannel = bind(config.redirectPort(), new HttpsRedirect(this::port), null);
            bound.add("http-redirect tcp " + config.host() + ":"
                    + ((InetSocketAddress) redirectChannel.localAddress()).getPort());
        }
        warnIfCapsExceedOpenFileLimit();
        return bound;
    }

    /**
     * A listener whose connections pass the guard, then TLS (when {@code tls} is given), HTTP, the
     * request timeouts and, from trusted proxies, the forwarded client's cap, before {@code last}.
     */
    private Channel bind(int port, ChannelHandler last, ReloadingCertificate tls) throws InterruptedException {
        return new ServerBootstrap().group(group).channel(channelType)
                .childHandler(new ChannelInitializer<SocketChannel>() {
                    @Override
                    protected void initChannel(SocketChannel ch) {
                        if (!guard.admit(ch, tls == null)) {
                            return;
                        }
                        if (tls != null) {
                            // The context current now: a renewed certificate serves connections from here on.
                            ch.pipeline().addLast("tls", tls.context().newHandler(ch.alloc()));
                        }
                        ch.pipeline().addLast("http", new HttpServerCodec());
                        ch.pipeline().addLast("aggregator", new HttpObjectAggregator(MAX_REQUEST_BYTES));
                        ch.pipeline().addLast("timeouts",
                                new RequestTimeouts(config.headerTimeout(), config.idleTimeout(), guard));
                        if (guard.proxies().trusts(ch.remoteAddress().getAddress())) {
                            ch.pipeline().addLast("forwarded", new ForwardedClient(guard.proxies(), guard));
                        }
                        ch.pipeline().addLast("router", last);
                    }
                })
                .bind(config.host(), port).sync().channel();
    }

    /**
     * Every connection holds a file descriptor, and TURN allocations and the relay's ICE-TCP share
     * the same limit: caps above half of it would let HTTP alone starve them.
     */
    private void warnIfCapsExceedOpenFileLimit() {
        if (ManagementFactory.getOperatingSystemMXBean() instanceof UnixOperatingSystemMXBean os) {
            long limit = os.getMaxFileDescriptorCount();
            if (config.maxConnections() > limit / 2) {
                LOG.warn("parley.http.max-connections = {} is more than half of this process's open-file limit ({}): "
                        + "raise the limit (nofile, see docs/operations.md) or lower the cap", config.maxConnections(),
                        limit);
            }
        }
    }

    public int port() {
        return ((InetSocketAddress) channel.localAddress()).getPort();
    }

    @Override
    public void close() {
        if (certificate != null) {
            certificate.close();
        }
        if (redirectChannel != null) {
            redirectChannel.close().syncUninterruptibly();
        }
        if (channel != null) {
            channel.close().syncUninterruptibly();
        }
        group.shutdownGracefully(0, 2, TimeUnit.SECONDS).syncUninterruptibly();
    }
}
