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

    private final Channel channel;
    private final String remote;
    private final AtomicBoolean closing = new AtomicBoolean();
    private volatile long lastMessageMillis;

    // --- signaling loop only ---
    private Session session;
    private Timer helloTimer;
    private Timer keepaliveTimer;

    public Connection(Channel channel, long nowMillis) {
        this.channel = channel;
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

    void touch(long nowMillis) {
        lastMessageMillis = nowMillis;
    }

    public long lastMessageMillis() {
        return lastMessageMillis;
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
