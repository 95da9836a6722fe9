package org.parley.signaling.client;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A Java client of the Parley signaling protocol (docs/protocol.md), for tests, the load-test tool
 * and Java apps. Requests return their reply (or throw {@link SignalingException} with the error
 * code); events queue up in order and are taken with {@link #nextEvent} or {@link #awaitEvent}.
 * Events are checked against their {@code seq}: a repeated event is dropped and counted in
 * {@link #duplicates()}. Thread-safe.
 */
public final class SignalingClient implements AutoCloseable {

    /** How a connection ended: the WebSocket close code and reason (-1 for a transport error). */
    public record CloseStatus(int code, String reason) {
    }

    /**
     * A call or room that a refused resume reports as over for this device ({@code welcome.ended},
     * docs/protocol.md §4): exactly one of {@code callId} and {@code roomId} is set.
     */
    public record Ended(String callId, String roomId, String reason) {
    }

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final HttpClient SHARED = HttpClient.newHttpClient();
    /** Acknowledge after this many events, so the server can forget them without an ack per event. */
    private static final int ACK_EVERY = 8;

    private final Map<String, CompletableFuture<JsonNode>> pending = new ConcurrentHashMap<>();
    private final LinkedBlockingQueue<JsonNode> events = new LinkedBlockingQueue<>();
    private final CompletableFuture<CloseStatus> closed = new CompletableFuture<>();
    private final AtomicLong ids = new AtomicLong();
    private final AtomicLong duplicates = new AtomicLong();
    private final Object sendLock = new Object();
    private CompletableFuture<?> lastSend = CompletableFuture.completedFuture(null);
    private volatile Duration timeout = Duration.ofSeconds(5);
    private volatile long lastSeq;
    private volatile long lastAcked;
    private volatile String sessionId;
    private volatile String resumeToken;
    private volatile List<Ended> ended = List.of();
    private WebSocket ws;

    private SignalingClient() {
    }

    /** Opens a WebSocket to {@code uri} (e.g. {@code ws://127.0.0.1:8080/ws}). */
    public static SignalingClient connect(URI uri, Duration timeout) {
        return connect(SHARED, uri, timeout);
    }

    /**
     * Opens a WebSocket to the first of {@code uris} (the nodes of a cluster, docs/cluster.md) that
     * accepts one, trying them in order; fails with the last one's error when none does.
     */
    public static SignalingClient connect(List<URI> uris, Duration timeout) {
        if (uris.isEmpty()) {
            throw new IllegalArgumentException("no URL to connect to");
        }
        RuntimeException last = null;
        for (URI uri : uris) {
            try {
                return connect(uri, timeout);
            } catch (RuntimeException e) {
                last = e;
            }
        }
        throw last;
    }

    /** As {@link #connect(URI, Duration)} on a given HTTP client (load tests share one). */
    public static SignalingClient connect(HttpClient http, URI uri, Duration timeout) {
        return join(connectAsync(http, uri, timeout), timeout.plusSeconds(1), "connect");
    }

    /** Opens a WebSocket without blocking. */
    public static CompletableFuture<SignalingClient> connectAsync(HttpClient http, URI uri, Duration timeout) {
        SignalingClient c = new SignalingClient();
        c.timeout = timeout;
        return http.newWebSocketBuilder().connectTimeout(timeout).buildAsync(uri, c.new Listener())
                .thenApply(ws -> {
                    c.ws = ws;
                    return c;
                });
    }

    /** Time allowed for each reply (default 5 s). */
    public SignalingClient timeout(Duration t) {
        this.timeout = t;
        return this;
    }

    /** {@code hello}: signs in; returns the {@code welcome}. */
    public JsonNode hello(String token, String device) {
        return remember(request("hello", "token", token, "device", device));
    }

    /** {@code hello} with a resume token and the last event seen (from another client's {@link #lastSeq()}). */
    public JsonNode resume(String token, String device, String resumeToken, long lastSeq) {
        this.lastSeq = lastSeq;
        this.lastAcked = lastSeq;
        return remember(request("hello", "token", token, "device", device, "resumeToken", resumeToken,
                "lastSeq", lastSeq));
    }

    /**
     * As {@link #resume(String, String, String, long)}, naming the calls and rooms this device
     * believes it is in: if the server refuses the resume (it ended the session, or restarted),
     * {@link #ended()} says which of them are over and why.
     */
    public JsonNode resume(String token, String device, String resumeToken, long lastSeq, Collection<String> calls,
            Collection<String> rooms) {
        this.lastSeq = lastSeq;
        this.lastAcked = lastSeq;
        return remember(request("hello", "token", token, "device", device, "resumeToken", resumeToken,
                "lastSeq", lastSeq, "calls", List.copyOf(calls), "rooms", List.copyOf(rooms)));
    }

    private JsonNode remember(JsonNode welcome) {
        sessionId = welcome.path("sessionId").asText(null);
        resumeToken = welcome.path("resumeToken").asText(null);
        List<Ended> over = new ArrayList<>();
        for (JsonNode e : welcome.path("ended")) {
            over.add(new Ended(e.path("callId").asText(null), e.path("roomId").asText(null),
                    e.path("reason").asText()));
        }
        ended = List.copyOf(over);
        return welcome;
    }

    /** The calls and rooms the last {@code welcome} reported as ended (empty after a successful resume). */
    public List<Ended> ended() {
        return ended;
    }

    /** Sends a request built from name/value pairs and waits for its reply. */
    public JsonNode request(String type, Object... fields) {
        return join(send(type, fields), timeout, type);
    }

    /** Sends a request without waiting; the future fails with {@link SignalingException} on an error. */
    public CompletableFuture<JsonNode> send(String type, Object... fields) {
        ObjectNode msg = JSON.createObjectNode();
        msg.put("type", type);
        String id = "r" + ids.incrementAndGet();
        msg.put("id", id);
        for (int i = 0; i + 1 < fields.length; i += 2) {
            msg.set((String) fields[i], JSON.valueToTree(fields[i + 1]));
        }
        CompletableFuture<JsonNode> reply = new CompletableFuture<>();
        pending.put(id, reply);
        sendRaw(msg.toString());
        return reply;
    }

    /** Sends text as is (for tests of bad input). */
    public void sendRaw(String text) {
        synchronized (sendLock) {
            lastSend = lastSend.handle((x, e) -> null).thenCompose(x -> ws.sendText(text, true));
        }
    }

    /** Acknowledges every event received so far. */
    public void ack() {
        long seq = lastSeq;
        if (seq > lastAcked) {
            lastAcked = seq;
            sendRaw("{\"type\":\"ack\",\"seq\":" + seq + "}");
        }
    }

    /** The next event (or id-less error), waiting up to the client timeout. */
    public JsonNode nextEvent() {
        return nextEvent(timeout);
    }

    public JsonNode nextEvent(Duration wait) {
        try {
            JsonNode e = events.poll(wait.toMillis(), TimeUnit.MILLISECONDS);
            if (e == null) {
                throw new SignalingException("timeout", "no event within " + wait, null);
            }
            return e;
        } catch (InterruptedException ie) {
            Thread.currentThread().interrupt();
            throw new SignalingException("interrupted", "interrupted", null);
        }
    }

    /** The next event, which must be of {@code type}; anything else is a failure. */
    public JsonNode expectEvent(String type) {
        JsonNode e = nextEvent();
        if (!type.equals(e.path("type").asText())) {
            throw new SignalingException("unexpected_event", "expected " + type + " but got " + e, e);
        }
        return e;
    }

    /** Waits for an event of {@code type}, dropping others before it. */
    public JsonNode awaitEvent(String type) {
        long deadline = System.nanoTime() + timeout.toNanos();
        List<String> skipped = new ArrayList<>();
        while (true) {
            long left = deadline - System.nanoTime();
            if (left <= 0) {
                throw new SignalingException("timeout", "no " + type + " event; skipped " + skipped, null);
            }
            JsonNode e = nextEvent(Duration.ofNanos(left));
            if (type.equals(e.path("type").asText())) {
                return e;
            }
            skipped.add(e.path("type").asText());
        }
    }

    /** True if no event arrives within {@code wait}. */
    public boolean quiet(Duration wait) {
        try {
            JsonNode e = events.poll(wait.toMillis(), TimeUnit.MILLISECONDS);
            if (e != null) {
                throw new SignalingException("unexpected_event", "expected silence but got " + e, e);
            }
            return true;
        } catch (InterruptedException ie) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    /** Takes one event if one arrives within {@code wait}; true if none came (for skipping noise). */
    public boolean quietOrTake(Duration wait) {
        try {
            return events.poll(wait.toMillis(), TimeUnit.MILLISECONDS) == null;
        } catch (InterruptedException ie) {
            Thread.currentThread().interrupt();
            return true;
        }
    }

    /** As {@link #quietOrTake}, handing the taken event to {@code sink}. */
    public boolean quietOrTakeInto(Duration wait, java.util.function.Consumer<JsonNode> sink) {
        try {
            JsonNode e = events.poll(wait.toMillis(), TimeUnit.MILLISECONDS);
            if (e == null) {
                return true;
            }
            sink.accept(e);
            return false;
        } catch (InterruptedException ie) {
            Thread.currentThread().interrupt();
            return true;
        }
    }

    /** Events waiting to be taken. */
    public int pendingEvents() {
        return events.size();
    }

    public long lastSeq() {
        return lastSeq;
    }

    /** Events received again with a seq already seen (must stay 0). */
    public long duplicates() {
        return duplicates.get();
    }

    public String sessionId() {
        return sessionId;
    }

    public String resumeToken() {
        return resumeToken;
    }

    /** Completes when the connection is closed, with the close code. */
    public CompletableFuture<CloseStatus> closed() {
        return closed;
    }

    /** Waits for the close. */
    public CloseStatus awaitClose() {
        return join(closed, timeout, "close");
    }

    /** Drops the connection without a close handshake, as a lost network would. */
    public void abort() {
        ws.abort();
        closed.complete(new CloseStatus(1006, "aborted"));
        failPending("aborted");
    }

    /** Closes normally (1000). */
    @Override
    public void close() {
        if (ws != null && !ws.isOutputClosed()) {
            synchronized (sendLock) {
                lastSend = lastSend.handle((x, e) -> null).thenCompose(x -> ws.sendClose(WebSocket.NORMAL_CLOSURE, ""));
            }
        }
        try {
            closed.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (ExecutionException | TimeoutException e) {
            if (ws != null) {
                ws.abort();
            }
        }
    }

    private void failPending(String why) {
        for (String id : List.copyOf(pending.keySet())) {
            CompletableFuture<JsonNode> f = pending.remove(id);
            if (f != null) {
                f.completeExceptionally(new SignalingException("closed", why, null));
            }
        }
    }

    private void onMessage(String text) {
        JsonNode msg;
        try {
            msg = JSON.readTree(text);
        } catch (JsonProcessingException e) {
            return;
        }
        JsonNode id = msg.get("id");
        if ("welcome".equals(msg.path("type").asText()) && !msg.path("resumed").asBoolean()) {
            // A fresh session numbers its events from 1 again. Reset here, on the thread that reads
            // the frames, so that its first events (right behind the welcome) are not taken for repeats.
            lastSeq = 0;
            lastAcked = 0;
        }
        if (id != null) {
            CompletableFuture<JsonNode> f = pending.remove(id.asText());
            if (f != null) {
                if ("error".equals(msg.path("type").asText())) {
                    f.completeExceptionally(new SignalingException(msg.path("code").asText(),
                            msg.path("message").asText(), msg));
                } else {
                    f.complete(msg);
                }
                return;
            }
        }
        JsonNode seq = msg.get("seq");
        if (seq != null && seq.canConvertToLong()) {
            long n = seq.longValue();
            if (n <= lastSeq) {
                duplicates.incrementAndGet();
                return;
            }
            lastSeq = n;
            events.add(msg);
            if (n - lastAcked >= ACK_EVERY) {
                ack();
            }
            return;
        }
        events.add(msg);
    }

    private static <T> T join(CompletableFuture<T> f, Duration wait, String what) {
        try {
            return f.get(wait.toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new SignalingException("interrupted", what, null);
        } catch (TimeoutException e) {
            throw new SignalingException("timeout", what + " got no answer within " + wait, null);
        } catch (ExecutionException e) {
            if (e.getCause() instanceof SignalingException se) {
                throw se;
            }
            throw new SignalingException("closed", what + ": " + e.getCause(), null);
        }
    }

    private final class Listener implements WebSocket.Listener {

        private final StringBuilder partial = new StringBuilder();

        @Override
        public CompletionStage<?> onText(WebSocket webSocket, CharSequence data, boolean last) {
            partial.append(data);
            if (last) {
                String text = partial.toString();
                partial.setLength(0);
                onMessage(text);
            }
            webSocket.request(1);
            return null;
        }

        @Override
        public CompletionStage<?> onClose(WebSocket webSocket, int statusCode, String reason) {
            closed.complete(new CloseStatus(statusCode, reason));
            failPending("closed " + statusCode);
            return null;
        }

        @Override
        public void onError(WebSocket webSocket, Throwable error) {
            closed.complete(new CloseStatus(-1, String.valueOf(error)));
            failPending(String.valueOf(error));
        }
    }
}
