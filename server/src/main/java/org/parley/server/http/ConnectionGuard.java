package org.parley.server.http;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.socket.SocketChannel;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.util.AttributeKey;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.util.EnumMap;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.parley.server.config.HttpConfig;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keeps the HTTP port within its connection caps and reports every connection it refuses or
 * times out, as a metric ({@code parley_http_connections_rejected_total{reason=...}}) and as a
 * warning logged at most once per {@link #LOG_INTERVAL_SECONDS} per reason.
 */
final class ConnectionGuard {

    private static final Logger LOG = LoggerFactory.getLogger(ConnectionGuard.class);
    static final long LOG_INTERVAL_SECONDS = 10;
    /** The whole answer to a refused connection: nothing of it is read, nothing else is spent. */
    private static final byte[] BUSY_BODY = "too many connections\n".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] BUSY = ("HTTP/1.1 503 Service Unavailable\r\nContent-Type: text/plain\r\n"
            + "Content-Length: 21\r\nConnection: close\r\n\r\ntoo many connections\n").getBytes(StandardCharsets.US_ASCII);
    /** The client a connection counts against, once known (at once, or after a trusted proxy's first request). */
    private static final AttributeKey<InetAddress> CLIENT = AttributeKey.valueOf("parley.http.client");

    /** Why the server ended a connection itself. */
    enum Reason {
        ADDRESS_LIMIT("address_limit"),
        TOTAL_LIMIT("total_limit"),
        HEADER_TIMEOUT("header_timeout"),
        IDLE_TIMEOUT("idle_timeout");

        final String wireName;

        Reason(String wireName) {
            this.wireName = wireName;
        }
    }

    private final HttpConfig config;
    private final ConnectionCaps caps;
    private final TrustedProxies proxies;
    private final Map<Reason, Counter> rejected = new EnumMap<>(Reason.class);
    private final Map<Reason, RateLimitedWarning> warnings = new EnumMap<>(Reason.class);

    ConnectionGuard(HttpConfig config, MeterRegistry registry) {
        this.config = config;
        this.caps = new ConnectionCaps(config.maxConnections(), config.maxConnectionsPerAddress());
        this.proxies = new TrustedProxies(config.trustedProxies());
        for (Reason r : Reason.values()) {
            rejected.put(r, Counter.builder("parley.http.connections.rejected").tag("reason", r.wireName)
                    .description("HTTP connections refused by a cap or closed by a timeout").register(registry));
            warnings.put(r, new RateLimitedWarning(LOG, TimeUnit.SECONDS.toNanos(LOG_INTERVAL_SECONDS), System::nanoTime));
        }
        Gauge.builder("parley.http.connections.open", caps, ConnectionCaps::open)
                .description("Open HTTP connections, WebSockets included").register(registry);
    }

    /**
     * Counts a new connection, or refuses it when it would break a cap: a plain-HTTP one is
     * answered 503 and closed, a TLS one only closed (a 503 would first cost a handshake, the very
     * work a flood wants the server to do). Returns whether it was admitted; an admitted
     * connection is uncounted when it closes. A connection from a trusted proxy counts in the
     * total now and against its client once {@link ForwardedClient} knows who that is.
     */
    boolean admit(SocketChannel ch, boolean plaintext) {
        InetAddress peer = ch.remoteAddress().getAddress();
        boolean proxied = proxies.trusts(peer);
        Optional<ConnectionCaps.Refusal> refusal = proxied ? caps.admitUnattributed() : caps.admit(peer);
        if (refusal.isPresent()) {
            refuse(ch, refusal.get(), peer, plaintext ? Unpooled.wrappedBuffer(BUSY) : null);
            return false;
        }
        if (!proxied) {
            ch.attr(CLIENT).set(peer);
        }
        ch.closeFuture().addListener(f -> caps.release(ch.attr(CLIENT).get()));
        return true;
    }

    /**
     * Counts a trusted proxy's connection against {@code client}'s cap; at the cap it is answered
     * 503 (through the HTTP encoder, which the pipeline has by now) and closed.
     */
    boolean attribute(SocketChannel ch, InetAddress client) {
        Optional<ConnectionCaps.Refusal> refusal = caps.attribute(client);
        if (refusal.isPresent()) {
            FullHttpResponse busy = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1,
                    HttpResponseStatus.SERVICE_UNAVAILABLE, Unpooled.wrappedBuffer(BUSY_BODY));
            busy.headers().set(HttpHeaderNames.CONTENT_TYPE, "text/plain");
            busy.headers().setInt(HttpHeaderNames.CONTENT_LENGTH, BUSY_BODY.length);
            busy.headers().set(HttpHeaderNames.CONNECTION, HttpHeaderValues.CLOSE);
            refuse(ch, refusal.get(), client, busy);
            return false;
        }
        ch.attr(CLIENT).set(client);
        return true;
    }

    private void refuse(SocketChannel ch, ConnectionCaps.Refusal cap, InetAddress from, Object answer) {
        report(cap == ConnectionCaps.Refusal.TOTAL_LIMIT ? Reason.TOTAL_LIMIT : Reason.ADDRESS_LIMIT,
                "refused an HTTP connection from {}: {} = {} reached", from.getHostAddress(), cap.setting,
                caps.max(cap));
        if (answer == null) {
            ch.close();
        } else {
            ch.writeAndFlush(answer).addListener(ChannelFutureListener.CLOSE);
        }
    }

    /** The client a connection is counted for: its peer, or the client a trusted proxy named; else the peer. */
    static InetAddress client(SocketChannel ch) {
        InetAddress client = ch.attr(CLIENT).get();
        return client != null ? client : ch.remoteAddress().getAddress();
    }

    /** A connection was closed for not sending a request in time. */
    void timedOut(SocketChannel ch, Reason reason) {
        String setting = reason == Reason.HEADER_TIMEOUT ? "parley.http.header-timeout" : "parley.http.idle-timeout";
        report(reason, "closed an HTTP connection from {}: no complete request within {} = {}",
                client(ch).getHostAddress(), setting,
                reason == Reason.HEADER_TIMEOUT ? config.headerTimeout() : config.idleTimeout());
    }

    TrustedProxies proxies() {
        return proxies;
    }

    private void report(Reason reason, String message, Object... args) {
        rejected.get(reason).increment();
        warnings.get(reason).warn(message, args);
    }
}
