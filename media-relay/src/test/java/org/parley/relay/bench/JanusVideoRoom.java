package org.parley.relay.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.parley.relay.control.ConferenceStats;
import org.parley.relay.control.EndpointListener;
import org.parley.relay.control.PeerConnectionRole;
import org.parley.relay.control.ReceiverConstraints;
import org.parley.relay.control.RelayControl;
import org.parley.relay.control.SourceKind;

/**
 * Janus's VideoRoom plugin behind Parley's {@link RelayControl}, so that {@link RelayLoadBenchmark}
 * drives Janus with exactly the clients, packets and pacing it drives Parley's relay with (issue
 * 18: "compare in alternating rounds"). Speaks Janus's HTTP API (one session, one plugin handle
 * per endpoint, events by long poll): a publisher's offer goes in a {@code joinandconfigure}, and
 * an endpoint allocated once a publisher exists subscribes to it at once ({@code join} as
 * subscriber: Janus's offer reaches the endpoint's listener, its answer goes back in
 * {@code start}). That covers the benchmark (publisher first, then receivers), not a general
 * room: what the benchmark does not use is refused.
 *
 * <p>One adjustment to the clients' SDP: our test client is always the DTLS client, and Janus
 * answers an {@code actpass} offer as the DTLS client too, so the publisher's offer states
 * {@code setup:active} (RFC 5763 §5 lets an offerer do so; Janus then takes the server role).
 */
final class JanusVideoRoom implements RelayControl, AutoCloseable {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Duration REPLY_WAIT = Duration.ofSeconds(30);
    /** VideoRoom's error code for a feed that does not exist (or is not connected yet). */
    private static final int NO_SUCH_FEED = 428;

    private final HttpClient http = HttpClient.newHttpClient();
    private final URI base;
    private final long room;
    private final long session;
    private final Map<String, CompletableFuture<JsonNode>> pending = new ConcurrentHashMap<>();
    private final Map<String, Long> handles = new ConcurrentHashMap<>();
    private final Map<String, EndpointListener> listeners = new ConcurrentHashMap<>();
    private final AtomicLong transactions = new AtomicLong();
    private final Thread poller;
    private volatile boolean closed;
    private volatile long feed;

    /** @param base Janus's HTTP API, e.g. {@code http://127.0.0.1:8088/janus}; {@code room} exists */
    JanusVideoRoom(URI base, long room) throws IOException, InterruptedException {
        this.base = base;
        this.room = room;
        this.session = post(base, request("create")).path("data").path("id").asLong();
        poller = new Thread(this::poll, "janus-events");
        poller.setDaemon(true);
        poller.start();
    }

    @Override
    public void createConference(String conferenceId) {
        // the room comes from Janus's configuration
    }

    @Override
    public void expireConference(String conferenceId) {
        // the benchmark's Janus process ends with the run
    }

    @Override
    public void allocateEndpoint(String conferenceId, String endpointId, EndpointListener listener) {
        ObjectNode attach = request("attach").put("plugin", "janus.plugin.videoroom");
        long handle = call(() -> post(sessionUri(), attach)).path("data").path("id").asLong();
        handles.put(endpointId, handle);
        listeners.put(endpointId, listener);
        if (feed != 0) {
            listener.onSubscriberOffer(subscribe(handle).path("jsep").path("sdp").asText());
        }
    }

    /**
     * Joins the publisher's feed as a subscriber; Janus refuses with 428 (no such feed) until the
     * publisher's own connection is up, so that answer is retried for a while.
     */
    private JsonNode subscribe(long handle) {
        ObjectNode body = JSON.createObjectNode().put("request", "join").put("ptype", "subscriber").put("room", room);
        body.putArray("streams").addObject().put("feed", feed);
        long deadline = System.nanoTime() + REPLY_WAIT.toNanos();
        while (true) {
            JsonNode event = message(handle, body, null);
            JsonNode data = event.path("plugindata").path("data");
            if (!data.has("error")) {
                return event;
            }
            if (data.path("error_code").asInt() != NO_SUCH_FEED || System.nanoTime() > deadline) {
                throw new IllegalStateException("Janus refused " + body + ": " + event);
            }
            call(() -> {
                Thread.sleep(50);
                return null;
            });
        }
    }

    @Override
    public String answerPublisherOffer(String conferenceId, String endpointId, String sdpOffer) {
        ObjectNode body = JSON.createObjectNode().put("request", "joinandconfigure").put("ptype", "publisher")
                .put("room", room).put("display", endpointId).put("audio", true).put("video", true);
        JsonNode event = message(handles.get(endpointId), body,
                jsep("offer", sdpOffer.replace("a=setup:actpass", "a=setup:active")));
        JsonNode data = event.path("plugindata").path("data");
        if (!"joined".equals(data.path("videoroom").asText())) {
            throw new IllegalStateException("Janus did not take the publisher: " + event);
        }
        feed = data.path("id").asLong();
        candidatesComplete(handles.get(endpointId));
        return event.path("jsep").path("sdp").asText();
    }

    @Override
    public void acceptSubscriberAnswer(String conferenceId, String endpointId, String sdpAnswer) {
        ObjectNode body = JSON.createObjectNode().put("request", "start").put("room", room);
        JsonNode event = message(handles.get(endpointId), body, jsep("answer", sdpAnswer));
        if (!"ok".equals(event.path("plugindata").path("data").path("started").asText())) {
            throw new IllegalStateException("Janus did not start the subscription: " + event);
        }
        candidatesComplete(handles.get(endpointId));
    }

    /**
     * Our candidates were all in the SDP; Janus waits for trickle's end-of-candidates before it
     * lets ICE fail or finish (RFC 8838 §4: the end-of-candidates indication).
     */
    private void candidatesComplete(long handle) {
        ObjectNode trickle = request("trickle");
        trickle.putObject("candidate").put("completed", true);
        call(() -> post(URI.create(sessionUri() + "/" + handle), trickle));
    }

    /**
     * Sends a plugin message and waits for the event that answers it (Janus acks first); the
     * plugin's own errors are in the event, for the caller to read.
     */
    private JsonNode message(long handle, ObjectNode body, ObjectNode jsep) {
        ObjectNode m = request("message");
        m.set("body", body);
        if (jsep != null) {
            m.set("jsep", jsep);
        }
        String tx = m.path("transaction").asText();
        CompletableFuture<JsonNode> reply = new CompletableFuture<>();
        pending.put(tx, reply);
        try {
            call(() -> post(URI.create(sessionUri() + "/" + handle), m));
            return reply.get(REPLY_WAIT.toSeconds(), TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        } catch (java.util.concurrent.ExecutionException | java.util.concurrent.TimeoutException e) {
            throw new IllegalStateException("no answer from Janus to " + body, e);
        } finally {
            pending.remove(tx);
        }
    }

    /** Long-polls the session's events and completes the message each one answers. */
    private void poll() {
        while (!closed) {
            try {
                HttpRequest get = HttpRequest.newBuilder(URI.create(sessionUri() + "?maxev=10"))
                        .timeout(Duration.ofSeconds(70)).GET().build();
                JsonNode events = JSON.readTree(http.send(get, HttpResponse.BodyHandlers.ofString()).body());
                for (JsonNode e : events.isArray() ? events : JSON.createArrayNode().add(events)) {
                    CompletableFuture<JsonNode> reply = pending.get(e.path("transaction").asText());
                    if (reply != null && "event".equals(e.path("janus").asText())) {
                        reply.complete(e);
                    }
                }
            } catch (IOException e) {
                if (!closed) {
                    pending.values().forEach(f -> f.completeExceptionally(e));
                    return;
                }
            } catch (InterruptedException e) {
                return;
            }
        }
    }

    private ObjectNode request(String janus) {
        return JSON.createObjectNode().put("janus", janus).put("transaction", "t" + transactions.incrementAndGet());
    }

    private static ObjectNode jsep(String type, String sdp) {
        return JSON.createObjectNode().put("type", type).put("sdp", sdp);
    }

    private URI sessionUri() {
        return URI.create(base + "/" + session);
    }

    private JsonNode post(URI uri, ObjectNode body) throws IOException, InterruptedException {
        HttpRequest req = HttpRequest.newBuilder(uri).timeout(REPLY_WAIT)
                .POST(HttpRequest.BodyPublishers.ofString(body.toString())).build();
        JsonNode reply = JSON.readTree(http.send(req, HttpResponse.BodyHandlers.ofString()).body());
        String kind = reply.path("janus").asText();
        if (!"success".equals(kind) && !"ack".equals(kind)) {
            throw new IOException("Janus answered " + reply + " to " + body);
        }
        return reply;
    }

    private interface Call {
        JsonNode run() throws IOException, InterruptedException;
    }

    private static JsonNode call(Call c) {
        try {
            return c.run();
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    @Override
    public void close() {
        closed = true;
        poller.interrupt();
    }

    // What the benchmark never asks of a relay.

    @Override
    public void expireEndpoint(String conferenceId, String endpointId) {
        throw unused();
    }

    @Override
    public void addRemoteCandidate(String conferenceId, String endpointId, PeerConnectionRole connection,
            String candidate) {
        throw unused();
    }

    @Override
    public void setSubscriptions(String conferenceId, String endpointId, Set<String> publisherEndpointIds) {
        throw unused();
    }

    @Override
    public void setSourceMuted(String conferenceId, String endpointId, SourceKind kind, boolean muted) {
        throw unused();
    }

    @Override
    public void setReceiverConstraints(String conferenceId, String endpointId, ReceiverConstraints constraints) {
        throw unused();
    }

    @Override
    public ConferenceStats stats(String conferenceId) {
        throw unused();
    }

    private static UnsupportedOperationException unused() {
        return new UnsupportedOperationException("the Janus benchmark adapter drives only what RelayLoadBenchmark uses");
    }
}
