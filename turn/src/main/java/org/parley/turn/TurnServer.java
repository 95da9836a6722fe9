package org.parley.turn;

import io.micrometer.core.instrument.MeterRegistry;
import io.netty.bootstrap.Bootstrap;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoop;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.IoEventLoop;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import java.io.File;
import java.net.InetSocketAddress;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLException;
import org.parley.netio.NativeDatagramBatch;

/**
 * The STUN/TURN server: its UDP, TCP and (with a certificate) TLS listeners on every listening
 * address, and the allocations they serve.
 *
 * <p>Everything runs on one event loop: listeners, relayed sockets and timers. Allocation state is
 * then touched by one thread only and needs no locks on the packet path.
 */
public final class TurnServer implements AutoCloseable {
    /** How often expired allocations, permissions and channels are removed. */
    private static final long SWEEP_PERIOD_MILLIS = 1000;
    /**
     * Kernel receive and send buffer of a UDP listening socket, which all UDP clients share: 4 MiB
     * holds about 2 s of a thousand 200-byte streams, so a pause of the event loop (a GC, a burst of
     * Allocate requests) loses nothing. The kernel caps it at net.core.rmem_max / wmem_max.
     */
    private static final int LISTENER_BUFFER_BYTES = 4 << 20;
    private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(TurnServer.class);

    private final TurnConfig config;
    private final MeterRegistry registry;
    private final Clock clock;
    private final EventLoopGroup group = new MultiThreadIoEventLoopGroup(1, NettyTransport.ioHandlerFactory());
    private final List<Channel> listeners = new ArrayList<>();
    /** UDP listeners read without a channel (native epoll); closed on the event loop. */
    private final List<EpollUdpListener> udpListeners = new ArrayList<>();
    private TurnContext ctx;
    private ScheduledFuture<?> sweeper;
    /** The bound UDP/TCP port and TLS port once started; 0 before (or for TLS: no TLS listener). */
    private volatile int boundPort;
    private volatile int boundTlsPort;

    public TurnServer(TurnConfig config, MeterRegistry registry, Clock clock) {
        this.config = config;
        this.registry = registry;
        this.clock = clock;
    }

    /** Binds every listener; returns one line per listener naming its bound address. */
    public List<String> start() throws InterruptedException {
        EventLoop loop = group.next();
        TurnMetrics metrics = new TurnMetrics(registry);
        NonceService nonces = new NonceService(clock, config.staleNonceSeconds());
        PeerAddressPolicy policy = PeerAddressPolicy.from(config);
        // One line, so an operator sees at once whether this server can reach internal networks.
        LOG.info(policy.describe());
        ctx = new TurnContext(config, clock, loop, metrics, new AllocationTable(metrics),
                new Authenticator(config, nonces, clock), nonces, policy,
                new RelayPortPool(config.minPort(), config.maxPort(), loop, metrics,
                        config.udpBatching() && NativeDatagramBatch.AVAILABLE), new RelayAddresses(config),
                new SourceRateLimiter(config.unauthenticatedRate(), config.unauthenticatedBurst()));
        StunDispatcher dispatcher = new StunDispatcher(ctx);
        SslContext tls = tlsContext();
        List<String> lines = new ArrayList<>();
        int port = config.listeningPort();
        int tlsPort = config.tlsListeningPort();
        for (String ip : config.listeningIps()) {
            ListenerPair pair = udpAndTcp(loop, dispatcher, ip, port);
            // With port 0 the first listener picks the port and the others follow it.
            port = pair.udp().getPort();
            lines.add("turn udp " + address(pair.udp()));
            lines.add("turn tcp " + address((InetSocketAddress) pair.tcp().localAddress()));
            if (tls != null) {
                Channel s = streamListener(loop, dispatcher, tls, ip, tlsPort);
                tlsPort = ((InetSocketAddress) s.localAddress()).getPort();
                lines.add("turn tls " + address((InetSocketAddress) s.localAddress()));
            }
        }
        sweeper = loop.scheduleAtFixedRate(this::sweep, SWEEP_PERIOD_MILLIS, SWEEP_PERIOD_MILLIS, TimeUnit.MILLISECONDS);
        boundTlsPort = tls != null ? tlsPort : 0;
        boundPort = port;
        return lines;
    }

    /**
     * The UDP and TCP port clients reach this server on, once it listens (with
     * {@code listening-port = 0} the port the kernel chose); empty before start.
     */
    public java.util.OptionalInt listeningPort() {
        int p = boundPort;
        return p == 0 ? java.util.OptionalInt.empty() : java.util.OptionalInt.of(p);
    }

    /**
     * The public IPv4 address clients are told in XOR-RELAYED-ADDRESS (external-ip), once
     * listening; empty when relayed addresses are told as bound, or before start.
     */
    public java.util.Optional<java.net.InetAddress> publicIpv4() {
        TurnContext c = ctx;
        return c == null || boundPort == 0 ? java.util.Optional.empty() : c.relayAddresses().publicIpv4();
    }

    /** The TLS port once listening; empty without a certificate or before start. */
    public java.util.OptionalInt tlsListeningPort() {
        int p = boundTlsPort;
        return p == 0 || boundPort == 0 ? java.util.OptionalInt.empty() : java.util.OptionalInt.of(p);
    }

    /** The UDP and TCP listeners of one listening address, on the same port. */
    private record ListenerPair(InetSocketAddress udp, Channel tcp) {
    }

    /** A bound UDP listening socket, of either kind, and how to give it up again. */
    private record UdpListener(InetSocketAddress address, Runnable close) {
    }

    /**
     * Binds UDP and TCP on the same port. With port 0 the kernel picks a free UDP port, which may be
     * taken for TCP; then both are given up and another port is tried, a bounded number of times.
     */
    private ListenerPair udpAndTcp(EventLoop loop, StunDispatcher dispatcher, String ip, int port)
            throws InterruptedException {
        int attempts = port == 0 ? 20 : 1;
        java.net.InetAddress address = TurnConfig.ip(ip);
        for (int attempt = 1; ; attempt++) {
            UdpListener udp = udpListener(loop, dispatcher, new InetSocketAddress(address, port));
            try {
                return new ListenerPair(udp.address(), streamListener(loop, dispatcher, null, ip, udp.address().getPort()));
            } catch (Exception e) {
                udp.close().run();
                if (attempt >= attempts || !portTaken(e)) {
                    throw e;
                }
            }
        }
    }

    /**
     * The UDP listening socket: under native epoll a socket read without a channel, the path every
     * relayed packet to and from clients takes (see {@link EpollDatagramSocket} for why); elsewhere
     * a Netty channel.
     */
    private UdpListener udpListener(EventLoop loop, StunDispatcher dispatcher, InetSocketAddress address)
            throws InterruptedException {
        if (loop instanceof IoEventLoop io && io.isCompatible(EpollUdpListener.class)) {
            EpollUdpListener udp = loop.submit(
                    () -> EpollUdpListener.bind(io, address, LISTENER_BUFFER_BYTES, ctx, dispatcher)).sync().getNow();
            udpListeners.add(udp);
            return new UdpListener(udp.localAddress(), () -> {
                udpListeners.remove(udp);
                loop.submit(udp::close).syncUninterruptibly();
            });
        }
        Channel udp = new Bootstrap().group(loop)
                .channelFactory(() -> NettyTransport.newDatagramChannel(address.getAddress(), loop))
                .option(ChannelOption.SO_RCVBUF, LISTENER_BUFFER_BYTES)
                .option(ChannelOption.SO_SNDBUF, LISTENER_BUFFER_BYTES)
                .handler(new UdpListenerHandler(ctx, dispatcher))
                .bind(address).sync().channel();
        listeners.add(udp);
        return new UdpListener((InetSocketAddress) udp.localAddress(), () -> {
            listeners.remove(udp);
            udp.close().syncUninterruptibly();
        });
    }

    /** NIO reports a taken port as BindException, the native epoll transport by its message. */
    private static boolean portTaken(Exception e) {
        return e instanceof java.net.BindException
                || (e.getMessage() != null && e.getMessage().contains("Address already in use"));
    }

    private Channel streamListener(EventLoop loop, StunDispatcher dispatcher, SslContext tls, String ip, int port)
            throws InterruptedException {
        TransportProtocol protocol = tls == null ? TransportProtocol.TCP : TransportProtocol.TLS;
        Channel ch = new ServerBootstrap().group(loop).channel(NettyTransport.serverSocketChannelClass())
                .childOption(ChannelOption.TCP_NODELAY, true)
                .childHandler(new ChannelInitializer<Channel>() {
                    @Override
                    protected void initChannel(Channel c) {
                        if (tls != null) {
                            c.pipeline().addLast(tls.newHandler(c.alloc()));
                        }
                        c.pipeline().addLast(new StreamFrameDecoder(ctx.metrics()));
                        c.pipeline().addLast(new TcpClientHandler(ctx, dispatcher, protocol));
                    }
                })
                .bind(ip, port).sync().channel();
        listeners.add(ch);
        return ch;
    }

    private SslContext tlsContext() {
        if (!config.tlsEnabled()) {
            return null;
        }
        try {
            return SslContextBuilder.forServer(new File(config.cert()), new File(config.pkey())).build();
        } catch (SSLException | IllegalArgumentException e) {
            throw new IllegalStateException("parley.turn.cert / parley.turn.pkey: cannot load TLS key pair: "
                    + e.getMessage(), e);
        }
    }

    private void sweep() {
        try {
            long now = clock.millis();
            ctx.table().sweep(now);
            ctx.rateLimiter().sweep(now);
        } catch (RuntimeException e) {
            LOG.warn("sweep failed", e);
        }
    }

    /** Runs an expiry sweep now on the event loop and waits for it (tests advance the clock first). */
    void sweepNow() {
        group.next().submit(this::sweep).syncUninterruptibly();
    }

    /** The event loop every socket and timer runs on (tests hold it to let datagrams queue up). */
    EventLoop eventLoop() {
        return group.next();
    }

    /** Number of allocations now, read on the event loop. */
    int allocationCount() {
        return group.next().submit(() -> ctx.table().size()).syncUninterruptibly().getNow();
    }

    private static String address(InetSocketAddress a) {
        String host = io.netty.util.NetUtil.toAddressString(a.getAddress());
        return (host.contains(":") ? "[" + host + "]" : host) + ":" + a.getPort();
    }

    @Override
    public void close() {
        boundPort = 0;
        if (sweeper != null) {
            sweeper.cancel(false);
        }
        if (ctx != null) {
            group.next().submit(() -> {
                ctx.table().closeAll();
                ctx.ports().close();
            }).awaitUninterruptibly(2, TimeUnit.SECONDS);
        }
        for (Channel ch : listeners) {
            ch.close().syncUninterruptibly();
        }
        if (!udpListeners.isEmpty()) {
            group.next().submit(() -> udpListeners.forEach(EpollUdpListener::close)).awaitUninterruptibly(2, TimeUnit.SECONDS);
        }
        group.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
    }
}
