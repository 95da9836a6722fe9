package org.parley.server.http;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.socket.SocketChannel;
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
    private static final byte[] BUSY = ("HTTP/1.1 503 Service Unavailable\r\nContent-Type: text/plain\r\n"
            + "Content-Length: 21\r\nConnection: close\r\n\r\ntoo many connections\n").getBytes(StandardCharsets.US_ASCII);

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
    private final Map<Reason, Counter> rejected = new EnumMap<>(Reason.class);
    private final Map<Reason, RateLimitedWarning> warnings = new EnumMap<>(Reason.class);

    ConnectionGuard(HttpConfig config, MeterRegistry registry) {
        this.config = config;
        this.caps = new ConnectionCaps(config.maxConnections(), config.maxConnectionsPerAddress());
        for (Reason r : Reason.values()) {
            rejected.put(r, Counter.builder("parley.http.connections.rejected").tag("reason", r.wireName)
                    .description("HTTP connections refused by a cap or closed by a timeout").register(registry));
            warnings.put(r, new RateLimitedWarning(LOG, TimeUnit.SECONDS.toNanos(LOG_INTERVAL_SECONDS), System::nanoTime));
        }
        Gauge.builder("parley.http.connections.open", caps, ConnectionCaps::open)
                .description("Open HTTP connections, WebSockets included").register(registry);
    }

    /**
     * Counts a new connection, or answers it 503 and closes it when it would break a cap. Returns
     * whether it was admitted; an admitted connection is uncounted when it closes.
     */
    boolean admit(SocketChannel ch) {
        InetAddress from = ch.remoteAddress().getAddress();
        Optional<ConnectionCaps.Refusal> refusal = caps.admit(from);
        if (refusal.isPresent()) {
            ConnectionCaps.Refusal cap = refusal.get();
            report(cap == ConnectionCaps.Refusal.TOTAL_LIMIT ? Reason.TOTAL_LIMIT : Reason.ADDRESS_LIMIT,
                    "refused an HTTP connection from {}: {} = {} reached", from.getHostAddress(), cap.setting,
                    caps.max(cap));
            ch.writeAndFlush(Unpooled.wrappedBuffer(BUSY)).addListener(ChannelFutureListener.CLOSE);
            return false;
        }
        ch.closeFuture().addListener(f -> caps.release(from));
        return true;
    }

    /** A connection was closed for not sending a request in time. */
    void timedOut(SocketChannel ch, Reason reason) {
        String setting = reason == Reason.HEADER_TIMEOUT ? "parley.http.header-timeout" : "parley.http.idle-timeout";
        report(reason, "closed an HTTP connection from {}: no complete request within {} = {}",
                ch.remoteAddress().getAddress().getHostAddress(), setting,
                reason == Reason.HEADER_TIMEOUT ? config.headerTimeout() : config.idleTimeout());
    }

    private void report(Reason reason, String message, Object... args) {
        rejected.get(reason).increment();
        warnings.get(reason).warn(message, args);
    }
}
