package org.parley.signaling.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.typesafe.config.ConfigFactory;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.epoll.EpollIoHandler;
import io.netty.channel.epoll.EpollServerSocketChannel;
import io.netty.channel.socket.SocketChannel;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpServerCodec;
import java.net.URI;
import java.net.http.HttpClient;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executors;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.IntFunction;
import org.parley.signaling.SignalingConfig;
import org.parley.signaling.SignalingService;
import org.parley.signaling.auth.TokenIssuer;
import org.parley.signaling.client.SignalingClient;

/**
 * Benchmark, not a test: how many signed-in connections a signaling server holds, and the call
 * set-up latency (invite sent to {@code call.incoming} delivered at the callee) at a sustained call
 * rate. Run the server and the clients as separate JVMs (see docs in the report):
 *
 * <pre>
 * java -cp CP org.parley.signaling.bench.SignalingBenchmark server PORT
 * java -cp CP org.parley.signaling.bench.SignalingBenchmark clients ws://127.0.0.1:PORT/ws CONNECTIONS CALLS_PER_SECOND SECONDS
 * </pre>
 *
 * Every connection pings every 20 s, as the app does. 1,000 of them (500 pairs) place the calls
 * through the client library; the rest are held by {@link IdleConnections}. Each call: invite,
 * ring, accept, hang up.
 */
public final class SignalingBenchmark {

    /**
     * The operator secret both sides share. Not taken from the tests' TestServer on purpose: loading
     * that class turns Netty's leak detector to PARANOID, which records a stack trace on every
     * buffer access and made earlier runs of this benchmark measure the detector, not the server.
     */
    private static final byte[] SECRET = "benchmark-secret-benchmark-secret!".getBytes(java.nio.charset.StandardCharsets.UTF_8);

    /** Pairs of connections that place the calls; every other connection is held idle. */
    private static final int CALLING_PAIRS = 500;

    private SignalingBenchmark() {
    }

    public static void main(String[] args) throws Exception {
        if (args.length >= 2 && args[0].equals("server")) {
            server(Integer.parseInt(args[1]));
        } else if (args.length >= 5 && args[0].equals("clients")) {
            clients(URI.create(args[1]), Integer.parseInt(args[2]), Integer.parseInt(args[3]), Integer.parseInt(args[4]));
        } else {
            System.err.println("usage: server PORT | clients WS_URL CONNECTIONS CALLS_PER_SECOND SECONDS");
            System.exit(2);
        }
    }

    private static void server(int port) throws Exception {
        SignalingConfig config = SignalingConfig.from(ConfigFactory.defaultReference().resolve());
        SignalingService signaling = new SignalingService(config, SECRET, Optional.empty(),
                new SimpleMeterRegistry(), Clock.systemUTC());
        EventLoopGroup group = new MultiThreadIoEventLoopGroup(2, EpollIoHandler.newFactory());
        new ServerBootstrap().group(group).channel(EpollServerSocketChannel.class)
                .childHandler(new ChannelInitializer<SocketChannel>() {
                    @Override
                    protected void initChannel(SocketChannel ch) {
                        ch.pipeline().addLast(new HttpServerCodec(), new HttpObjectAggregator(65536),
                                new SimpleChannelInboundHandler<FullHttpRequest>(false) {
                                    @Override
                                    protected void channelRead0(ChannelHandlerContext ctx, FullHttpRequest req) {
                                        signaling.installWebSocket(ctx.pipeline());
                                        ctx.pipeline().remove(this);
                                        ctx.fireChannelRead(req);
                                    }
                                });
                    }
                })
                .option(io.netty.channel.ChannelOption.SO_BACKLOG, 4096)
                .bind("127.0.0.1", port).sync();
        System.out.println("signaling benchmark server on 127.0.0.1:" + port);
        Thread.currentThread().join();
    }

    private static void clients(URI uri, int connections, int callsPerSecond, int seconds) throws Exception {
        TokenIssuer issuer = new TokenIssuer(SECRET, Clock.systemUTC());
        // The callers use the project's client library (java.net.http); the rest of the crowd is
        // held idle by a light Netty client, so the client JVM does not become the bottleneck.
        int callerCount = Math.min(connections, 2 * CALLING_PAIRS);
        int idleCount = connections - callerCount;
        IntFunction<String> token = n -> issuer.issue("u" + n, Optional.empty(), Optional.empty(), Optional.empty(),
                Duration.ofHours(2));
        long t0 = System.nanoTime();
        IdleConnections idle = new IdleConnections();
        long idleFailed = IdleConnections.openAll(idle, uri, idleCount, n -> token.apply(callerCount + n), 500);
        System.out.printf("idle: %d signed in (%d failed) in %.1f s%n", idle.open(), idleFailed,
                (System.nanoTime() - t0) / 1e9);

        HttpClient http = HttpClient.newBuilder().executor(Executors.newFixedThreadPool(2)).build();
        SignalingClient[] clients = new SignalingClient[callerCount];
        Semaphore inFlight = new Semaphore(200);
        AtomicInteger failed = new AtomicInteger();
        // started first: the server closes connections silent for two ping intervals (40 s)
        var pinger = Executors.newSingleThreadScheduledExecutor();
        AtomicInteger next = new AtomicInteger();
        // spread the pings: each connection pings every 20 s
        pinger.scheduleAtFixedRate(() -> {
            int batch = Math.max(1, callerCount / 200);
            for (int k = 0; k < batch; k++) {
                SignalingClient c = clients[Math.floorMod(next.getAndIncrement(), callerCount)];
                if (c != null) {
                    c.send("ping");
                }
            }
        }, 100, 100, TimeUnit.MILLISECONDS);
        List<CompletableFuture<?>> opening = new ArrayList<>();
        for (int i = 0; i < callerCount; i++) {
            int n = i;
            inFlight.acquire();
            String t = token.apply(n);
            opening.add(SignalingClient.connectAsync(http, uri, Duration.ofSeconds(30))
                    .thenCompose(c -> c.send("hello", "token", t, "device", "d").thenApply(w -> c))
                    .orTimeout(60, TimeUnit.SECONDS)
                    .whenComplete((c, e) -> {
                        inFlight.release();
                        if (e != null) {
                            failed.incrementAndGet();
                        } else {
                            clients[n] = c.timeout(Duration.ofSeconds(10));
                        }
                    }));
        }
        CompletableFuture.allOf(opening.toArray(CompletableFuture[]::new)).handle((x, e) -> null).join();
        long held = Arrays.stream(clients).filter(c -> c != null && !c.closed().isDone()).count() + idle.open();
        System.out.printf("connections: %d signed in (%d failed) in %.1f s%n", held, failed.get() + idleFailed,
                (System.nanoTime() - t0) / 1e9);

        int pairs = callerCount / 2;
        long[] latencies = new long[callsPerSecond * seconds];
        AtomicInteger done = new AtomicInteger();
        AtomicInteger errors = new AtomicInteger();
        var callers = Executors.newFixedThreadPool(16);
        long intervalNanos = TimeUnit.SECONDS.toNanos(1) / callsPerSecond;
        long start = System.nanoTime();
        for (int i = 0; i < latencies.length; i++) {
            long due = start + i * intervalNanos;
            long wait = due - System.nanoTime();
            if (wait > 0) {
                TimeUnit.NANOSECONDS.sleep(wait);
            }
            int slot = i;
            int pair = i % pairs;
            SignalingClient caller = clients[2 * pair];
            SignalingClient callee = clients[2 * pair + 1];
            callers.execute(() -> {
                if (caller == null || callee == null) {
                    errors.incrementAndGet();
                    return;
                }
                synchronized (callee) {
                    try {
                        long sent = System.nanoTime();
                        JsonNode invite = caller.request("call.invite", "to", "u" + (2 * pair + 1), "media", "audio");
                        JsonNode incoming = callee.awaitEvent("call.incoming");
                        latencies[slot] = System.nanoTime() - sent;
                        String callId = invite.get("callId").asText();
                        if (!callId.equals(incoming.get("callId").asText())) {
                            errors.incrementAndGet();
                        }
                        callee.request("call.accept", "callId", callId);
                        caller.request("call.hangup", "callId", callId);
                        done.incrementAndGet();
                    } catch (RuntimeException e) {
                        errors.incrementAndGet();
                    }
                }
            });
        }
        callers.shutdown();
        callers.awaitTermination(60, TimeUnit.SECONDS);
        double elapsed = (System.nanoTime() - start) / 1e9;
        long[] ok = Arrays.stream(latencies).filter(l -> l > 0).sorted().toArray();
        System.out.printf("calls: %d set up and hung up in %.1f s (%.0f/s), %d errors%n", done.get(), elapsed,
                done.get() / elapsed, errors.get());
        if (ok.length > 0) {
            System.out.printf("invite -> call.incoming at callee: p50 %.2f ms, p99 %.2f ms, max %.2f ms%n",
                    ok[ok.length / 2] / 1e6, ok[(int) (ok.length * 0.99)] / 1e6, ok[ok.length - 1] / 1e6);
        }
        long still = Arrays.stream(clients).filter(c -> c != null && !c.closed().isDone()).count() + idle.open();
        System.out.printf("connections still open at the end: %d%n", still);
        pinger.shutdownNow();
        System.exit(0);
    }
}
