package org.parley.signaling.transport;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.netty.channel.Channel;
import io.netty.channel.socket.DuplexChannel;
import io.netty.handler.codec.http.websocketx.CloseWebSocketFrame;
import io.netty.handler.codec.http.websocketx.TextWebSocketFrame;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.parley.signaling.Scheduler.Timer;
import org.parley.signaling.session.Session;
import org.parley.signaling.wire.CloseCode;
import org.parley.signaling.wire.Json;
import org.parley.signaling.wire.Request;

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
    /**
     * After the close frame the socket stays open this long, reading and discarding, for the peer to
     * answer with its own close (RFC 6455 §7.1.1) or its FIN. Closing with unread input makes the
     * kernel send a reset, and a reset can destroy the close frame before the peer reads it. A peer
     * that read the close frame answers within a round trip; one that does not read is cut off.
     */
    static final long CLOSE_LINGER_MILLIS = 3_000;
    /**
     * Time the close frame gets to leave. It waits behind whatever the peer has not read yet (up to
     * {@link #MAX_QUEUED_BYTES}), which a slow but live reader may take minutes over; a peer that
     * reads nothing at all is cut off after this. (Progress cannot be watched from here: most of the
     * queue sits in the kernel's send buffer, which drains out of sight.)
     */
    static final long CLOSE_FRAME_WRITE_MILLIS = 300_000;
    /**
     * How long a close that waits for the replies of admitted requests ({@link #closeWhenAnswered})
     * waits at most: every reply comes from the signaling loop within its own timeouts, so this only
     * bounds a bug.
     */
    static final long REPLY_WAIT_MILLIS = 5_000;

    private final Channel channel;
    private final String remote;
    private final String host;
    private final AtomicBoolean closing = new AtomicBoolean();
    /** Requests handed to the signaling loop whose reply has not been written yet. */
    private final AtomicInteger unanswered = new AtomicInteger();
    /** The close to send once every admitted request is answered, or null. */
    private volatile CloseCode closeWhenAnswered;
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

    /**
     * Sends one message; a no-op once the connection is closing. A message with an {@code id} is the
     * reply to an admitted request (events never carry one, docs/protocol.md §2).
     */
    public void send(ObjectNode message) {
        write(message);
        if (message.has("id")) {
            answered();
        }
    }

    /** Sends the error for a frame that was refused before it reached the signaling loop. */
    void refuse(ObjectNode error) {
        write(error);
    }

    private void write(ObjectNode message) {
        try {
            sendText(Json.MAPPER.writeValueAsString(message));
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot serialise " + message.get("type"), e);
        }
    }

    /** A request with an id was handed to the signaling loop; its reply is now owed. */
    void admitted(Request request) {
        if (request.id() != null) {
            unanswered.incrementAndGet();
        }
    }

    private void answered() {
        if (unanswered.decrementAndGet() <= 0) {
            CloseCode code = closeWhenAnswered;
            if (code != null) {
                // Queued behind the reply just written, like it.
                channel.eventLoop().execute(() -> close(code));
            }
        }
    }

    /**
     * Closes with {@code code} once every admitted request has had its reply, so that "every request
     * gets exactly one reply or one error" (docs/protocol.md §2) holds up to the close frame. The
     * caller has stopped admitting requests.
     */
    void closeWhenAnswered(CloseCode code) {
        closeWhenAnswered = code;
        if (unanswered.get() <= 0) {
            // Through the event loop's queue: replies written from the signaling loop wait there as
            // tasks, and a close frame written directly from this (event loop) thread would pass them.
            channel.eventLoop().execute(() -> close(code));
        } else {
            channel.eventLoop().schedule(() -> close(code), REPLY_WAIT_MILLIS, TimeUnit.MILLISECONDS);
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

    /**
     * Sends a close frame with {@code code}, then ends the output (FIN) and keeps reading until the
     * peer closes too or {@link #CLOSE_LINGER_MILLIS} pass; later sends are dropped, and frames that
     * still arrive are discarded. A close frame that cannot leave within
     * {@link #CLOSE_FRAME_WRITE_MILLIS} is given up.
     */
    public void close(CloseCode code) {
        if (closing.compareAndSet(false, true)) {
            channel.writeAndFlush(new CloseWebSocketFrame(code.code(), code.reason())).addListener(f -> endOutput());
            closeAfter(CLOSE_FRAME_WRITE_MILLIS);
        }
    }

    private void endOutput() {
        if (channel instanceof DuplexChannel duplex && channel.isActive()) {
            duplex.shutdownOutput();
            closeAfter(CLOSE_LINGER_MILLIS);
        } else {
            channel.close();
        }
    }

    private void closeAfter(long millis) {
        channel.eventLoop().schedule(() -> { channel.close(); }, millis, TimeUnit.MILLISECONDS);
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
