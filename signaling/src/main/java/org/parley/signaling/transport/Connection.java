package org.parley.signaling.transport;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.handler.codec.http.websocketx.CloseWebSocketFrame;
import io.netty.handler.codec.http.websocketx.TextWebSocketFrame;
import java.util.concurrent.atomic.AtomicBoolean;
import org.parley.signaling.Scheduler.Timer;
import org.parley.signaling.session.Session;
import org.parley.signaling.wire.CloseCode;
import org.parley.signaling.wire.Json;

/**
 * One WebSocket: writes messages and closes with a documented code. Writes are thread-safe (Netty
 * queues them onto the channel's event loop); the fields below the line belong to the signaling
 * loop.
 */
public final class Connection {

    /**
     * A client whose socket has not drained for this long is cut off (4010): it has stopped
     * reading. Its session keeps every event, so it loses nothing by resuming, and the server stops
     * buffering for a stuck socket. A burst (a resume replaying hundreds of offers) is not a stall.
     */
    static final long MAX_STALL_MILLIS = 10_000;
    /** Queued bytes that end a connection at once, stalled or not: a hard bound on buffering. */
    static final long MAX_QUEUED_BYTES = 32L << 20;

    private final Channel channel;
    private final String remote;
    private final String host;
    private final AtomicBoolean closing = new AtomicBoolean();
    private volatile long lastMessageMillis;
    /** When the socket stopped draining, or -1 while it drains. */
    private volatile long stalledSinceMillis = -1;
    private final java.time.Clock clock;

    // --- signaling loop only ---
    private Session session;
    private Timer helloTimer;
    private Timer keepaliveTimer;

    public Connection(Channel channel, java.time.Clock clock, String host) {
        this.channel = channel;
        this.host = host;
        this.clock = clock;
        long nowMillis = clock.millis();
        this.remote = String.valueOf(channel.remoteAddress());
        this.lastMessageMillis = nowMillis;
    }

    /** Sends one message; a no-op once the connection is closing. */
    public void send(ObjectNode message) {
        try {
            sendText(Json.MAPPER.writeValueAsString(message));
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot serialise " + message.get("type"), e);
        }
    }

    /** Sends one already-serialised message. */
    public void sendText(String json) {
        if (!closing.get() && channel.isActive()) {
            long stalledSince = stalledSinceMillis;
            if (stalledSince >= 0 && !channel.isWritable()
                    && (clock.millis() - stalledSince > MAX_STALL_MILLIS || channel.bytesBeforeWritable() > MAX_QUEUED_BYTES)) {
                close(CloseCode.SLOW_CONSUMER);
                return;
            }
            channel.writeAndFlush(new TextWebSocketFrame(json), channel.voidPromise());
        }
    }

    /** Sends a close frame with {@code code} and closes; later sends are dropped. */
    public void close(CloseCode code) {
        if (closing.compareAndSet(false, true)) {
            channel.writeAndFlush(new CloseWebSocketFrame(code.code(), code.reason()))
                    .addListener(ChannelFutureListener.CLOSE);
        }
    }

    public boolean isOpen() {
        return !closing.get() && channel.isActive();
    }

    /** Netty says whether the socket drains (writability follows the write buffer water marks). */
    void writable(boolean writable) {
        if (writable) {
            stalledSinceMillis = -1;
        } else if (stalledSinceMillis < 0) {
            stalledSinceMillis = clock.millis();
        }
    }

    void touch(long nowMillis) {
        lastMessageMillis = nowMillis;
    }

    public long lastMessageMillis() {
        return lastMessageMillis;
    }

    /** The host name the client used to reach this server (Host header, without the port). */
    public String host() {
        return host;
    }

    public String remote() {
        return remote;
    }

    /** The session bound to this connection (loop thread), or null before {@code hello}. */
    public Session session() {
        return session;
    }

    public void bind(Session session) {
        this.session = session;
    }

    public Timer helloTimer() {
        return helloTimer;
    }

    public void helloTimer(Timer t) {
        this.helloTimer = t;
    }

    public Timer keepaliveTimer() {
        return keepaliveTimer;
    }

    public void keepaliveTimer(Timer t) {
        this.keepaliveTimer = t;
    }

    @Override
    public String toString() {
        return "Connection[" + remote + "]";
    }
}
