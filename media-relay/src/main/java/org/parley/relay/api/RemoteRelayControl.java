package org.parley.relay.api;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse.BodyHandlers;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicReference;
import org.parley.relay.control.ConferenceStats;
import org.parley.relay.control.EndpointListener;
import org.parley.relay.control.PeerConnectionRole;
import org.parley.relay.control.ReceiverConstraints;
import org.parley.relay.control.RelayControl;
import org.parley.relay.control.RelayException;
import org.parley.relay.control.SourceKind;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@link RelayControl} for a relay on another host, through its {@link RelayHttpApi}. Each
 * allocated endpoint gets a daemon thread that long-polls its events and calls the listener.
 * Every request gives up after the request timeout, so a relay that hangs costs its callers that
 * long at most. Each answer or failure updates {@link #reachability()}; {@link #watch} asks the
 * relay for its instance id now and then, which keeps that fresh while idle and reveals a restart.
 */
public final class RemoteRelayControl implements RelayControl, AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(RemoteRelayControl.class);
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final long POLL_MS = 10_000;

    /** What this node last learned about the relay. */
    public enum Reachability {
        /** Not asked yet. */
        UNKNOWN,
        /** It answered the last request. */
        UP,
        /** The last request got no answer in time, or no connection. */
        UNREACHABLE
    }

    private final URI base;
    private final String authorization;
    private final HttpClient http;
    private final Duration requestTimeout;
    private final Map<String, Thread> pollers = new ConcurrentHashMap<>();
    private final List<Runnable> restartListeners = new CopyOnWriteArrayList<>();
    private final AtomicReference<Reachability> reachability = new AtomicReference<>(Reachability.UNKNOWN);
    private final AtomicReference<String> instance = new AtomicReference<>();
    private volatile Thread watcher;
    private volatile boolean closed;

    /** @param base the relay's HTTP origin, e.g. {@code http://10.0.0.5:8080} */
    public RemoteRelayControl(URI base, String secret) {
        this(base, secret, Duration.ofSeconds(1), Duration.ofSeconds(3));
    }

    /**
     * @param connectTimeout how long to wait for a TCP connection to the relay
     * @param requestTimeout how long to wait for the relay's answer to one request
     */
    public RemoteRelayControl(URI base, String secret, Duration connectTimeout, Duration requestTimeout) {
        this.base = base;
        this.authorization = "Bearer " + secret;
        this.requestTimeout = requestTimeout;
        this.http = HttpClient.newBuilder().connectTimeout(connectTimeout).build();
    }

    /** What the last request to the relay showed. */
    public Reachability reachability() {
        return reachability.get();
    }

    /**
     * Asks the relay for its instance id every {@code interval} on a daemon thread, so that
     * {@link #reachability()} stays current without traffic and a restart is noticed even when
     * the relay was never seen down.
     */
    public synchronized void watch(Duration interval) {
        if (watcher != null || closed) {
            return;
        }
        Thread t = new Thread(() -> {
            while (!closed) {
                probe();
                try {
                    Thread.sleep(interval.toMillis());
                } catch (InterruptedException e) {
                    return;
                }
            }
        }, "relay-watch-" + base.getAuthority());
        t.setDaemon(true);
        watcher = t;
        t.start();
    }

    @Override
    public void onRestart(Runnable whenRestarted) {
        restartListeners.add(whenRestarted);
    }

    /** Reads the relay's instance id; a new one means the relay restarted and lost all conferences. */
    private void probe() {
        String now;
        try {
            now = send("GET", RelayHttpApi.PREFIX + "instance", null, requestTimeout).path("instance").asText("");
        } catch (RuntimeException e) {
            return;
        }
        String before = instance.getAndSet(now);
        if (before != null && !before.equals(now)) {
            LOG.warn("remote relay {} restarted (instance {} is now {}): its conferences are gone", base, before, now);
            for (Runnable r : restartListeners) {
                try {
                    r.run();
                } catch (RuntimeException e) {
                    LOG.error("relay restart listener failed", e);
                }
            }
        }
    }

    @Override
    public void createConference(String conferenceId) {
        call("PUT", conf(conferenceId), null);
    }

    @Override
    public void expireConference(String conferenceId) {
        call("DELETE", conf(conferenceId), null);
        pollers.keySet().removeIf(k -> {
            if (k.startsWith(conferenceId + "/")) {
                pollers.get(k).interrupt();
                return true;
            }
            return false;
        });
    }

    @Override
    public void allocateEndpoint(String conferenceId, String endpointId, EndpointListener listener) {
        call("PUT", ep(conferenceId, endpointId), null);
        poll(conferenceId, endpointId, listener);
    }

    /**
     * Long-polls the events of an endpoint another node allocated: the relay queues them per
     * endpoint whoever asks, and a newer poll answers an older one empty, so from now on they come
     * here (a dead owner's last poll is simply never renewed).
     */
    @Override
    public void attachEndpoint(String conferenceId, String endpointId, EndpointListener listener) {
        poll(conferenceId, endpointId, listener);
    }

    private void poll(String conferenceId, String endpointId, EndpointListener listener) {
        String key = conferenceId + "/" + endpointId;
        Thread t = new Thread(() -> pollEvents(conferenceId, endpointId, listener), "relay-events-" + key);
        t.setDaemon(true);
        Thread old = pollers.put(key, t);
        if (old != null) {
            old.interrupt();
        }
        t.start();
    }

    @Override
    public void expireEndpoint(String conferenceId, String endpointId) {
        Thread t = pollers.remove(conferenceId + "/" + endpointId);
        if (t != null) {
            t.interrupt();
        }
        call("DELETE", ep(conferenceId, endpointId), null);
    }

    @Override
    public String answerPublisherOffer(String conferenceId, String endpointId, String sdpOffer) {
        return call("POST", ep(conferenceId, endpointId) + "/publisher-offer", Map.of("sdp", sdpOffer)).get("sdp")
                .asText();
    }

    @Override
    public void acceptSubscriberAnswer(String conferenceId, String endpointId, String sdpAnswer) {
        call("POST", ep(conferenceId, endpointId) + "/subscriber-answer", Map.of("sdp", sdpAnswer));
    }

    @Override
    public void addRemoteCandidate(String conferenceId, String endpointId, PeerConnectionRole connection,
            String candidate) {
        call("POST", ep(conferenceId, endpointId) + "/candidates",
                Map.of("connection", connection.name(), "candidate", candidate == null ? "" : candidate));
    }

    @Override
    public void setSubscriptions(String conferenceId, String endpointId, Set<String> publisherEndpointIds) {
        Map<String, Object> body = new HashMap<>();
        body.put("publishers", publisherEndpointIds == null ? null : new ArrayList<>(publisherEndpointIds));
        call("PUT", ep(conferenceId, endpointId) + "/subscriptions", body);
    }

    @Override
    public void setSourceMuted(String conferenceId, String endpointId, SourceKind kind, boolean muted) {
        call("PUT", ep(conferenceId, endpointId) + "/mute", Map.of("kind", kind.name(), "muted", muted));
    }

    @Override
    public void setTargetLayer(String conferenceId, String receiverEndpointId, String publisherEndpointId,
            SourceKind kind, int layer) {
        call("PUT", ep(conferenceId, receiverEndpointId) + "/target-layer",
                Map.of("publisher", publisherEndpointId, "kind", kind.name(), "layer", layer));
    }

    @Override
    public void setReceiverConstraints(String conferenceId, String endpointId, ReceiverConstraints constraints) {
        call("PUT", ep(conferenceId, endpointId) + "/constraints", ConstraintsJson.write(constraints));
    }

    @Override
    public String linkAddress() {
        return call("GET", RelayHttpApi.PREFIX + "link-address", null).path("address").asText();
    }

    @Override
    public void linkConference(String conferenceId, String peerRelayId, org.parley.relay.control.LinkSpec spec) {
        call("PUT", conf(conferenceId) + "/links/" + enc(peerRelayId), LinkJson.write(spec));
    }

    @Override
    public void unlinkConference(String conferenceId, String peerRelayId) {
        call("DELETE", conf(conferenceId) + "/links/" + enc(peerRelayId), null);
    }

    @Override
    public ConferenceStats stats(String conferenceId) {
        JsonNode n = call("GET", conf(conferenceId) + "/stats", null);
        List<ConferenceStats.EndpointStats> eps = new ArrayList<>();
        for (JsonNode e : n.path("endpoints")) {
            List<ConferenceStats.ForwardedStreamStats> forwarded = new ArrayList<>();
            for (JsonNode f : e.path("forwarded")) {
                forwarded.add(new ConferenceStats.ForwardedStreamStats(f.path("sourceEndpointId").asText(),
                        SourceKind.valueOf(f.path("kind").asText()), f.path("layerCount").asInt(),
                        f.path("targetLayer").asInt(), f.path("currentLayer").asInt(), f.path("bitrateBps").asLong(),
                        f.path("height").asInt(), f.path("packetsSent").asLong(), f.path("temporalLayer").asInt(3),
                        f.path("frameRate").asDouble()));
            }
            eps.add(new ConferenceStats.EndpointStats(e.path("endpointId").asText(), e.path("iceState").asText(),
                    e.path("packetsReceived").asLong(), e.path("packetsSent").asLong(),
                    e.path("bytesReceived").asLong(), e.path("bytesSent").asLong(), forwarded,
                    e.path("estimateBps").asLong()));
        }
        List<ConferenceStats.LinkStats> links = new ArrayList<>();
        for (JsonNode l : n.path("links")) {
            links.add(new ConferenceStats.LinkStats(l.path("peerRelay").asText(), l.path("up").asBoolean(),
                    l.path("silentMillis").asLong(), l.path("downs").asLong()));
        }
        return new ConferenceStats(n.path("conferenceId").asText(), eps, links);
    }

    private void pollEvents(String conferenceId, String endpointId, EndpointListener listener) {
        String path = ep(conferenceId, endpointId) + "/events?timeoutMs=" + POLL_MS;
        while (!closed && !Thread.currentThread().isInterrupted()) {
            try {
                JsonNode events = send("GET", path, null, Duration.ofMillis(POLL_MS).plus(requestTimeout));
                for (JsonNode e : events) {
                    dispatch(e, listener);
                }
            } catch (RelayException e) {
                if (e.reason() == RelayException.Reason.UNKNOWN_ENDPOINT
                        || e.reason() == RelayException.Reason.UNKNOWN_CONFERENCE) {
                    // expired, by us or by a relay that restarted: find out which at once
                    if (!closed && !Thread.currentThread().isInterrupted()) {
                        probe();
                    }
                    return;
                }
                sleepQuietly();
            } catch (RuntimeException e) {
                sleepQuietly();
            }
        }
    }

    private static void dispatch(JsonNode e, EndpointListener listener) {
        switch (e.path("type").asText()) {
            case "subscriberOffer" -> listener.onSubscriberOffer(e.path("sdp").asText());
            case "localCandidate" -> listener.onLocalCandidate(
                    PeerConnectionRole.valueOf(e.path("connection").asText()), e.path("candidate").asText());
            case "activeSpeaker" -> listener.onActiveSpeaker(e.path("endpoint").asText());
            case "transportFailed" -> listener.onTransportFailed(e.path("reason").asText());
            case "layersNeeded" -> {
                List<Boolean> active = new ArrayList<>();
                e.path("active").forEach(a -> active.add(a.asBoolean()));
                for (SourceKind kind : SourceKind.values()) {
                    // a kind this client does not know is skipped like an unknown event
                    if (kind.name().equals(e.path("kind").asText())) {
                        listener.onLayersNeeded(kind, active);
                    }
                }
            }
            default -> {
                // newer relays may send events this client does not know
            }
        }
    }

    private static void sleepQuietly() {
        try {
            Thread.sleep(500);
        } catch (InterruptedException ie) {
            Thread.currentThread().interrupt();
        }
    }

    private JsonNode call(String method, String path, Object body) {
        return send(method, path, body, requestTimeout);
    }

    private JsonNode send(String method, String path, Object body, Duration timeout) {
        try {
            HttpRequest.BodyPublisher publisher = body == null ? HttpRequest.BodyPublishers.noBody()
                    : HttpRequest.BodyPublishers.ofByteArray(JSON.writeValueAsBytes(body));
            HttpRequest request = HttpRequest.newBuilder(base.resolve(path)).timeout(timeout)
                    .header("Authorization", authorization).header("Content-Type", "application/json")
                    .method(method, publisher).build();
            java.net.http.HttpResponse<byte[]> response = http.send(request, BodyHandlers.ofByteArray());
            JsonNode json = response.body().length == 0 ? JSON.createObjectNode() : JSON.readTree(response.body());
            if (response.statusCode() / 100 != 2) {
                RelayException refusal = toException(response.statusCode(), json);
                reached(refusal.reason() != RelayException.Reason.UNAVAILABLE, refusal.getMessage());
                throw refusal;
            }
            reached(true, null);
            return json;
        } catch (IOException e) {
            reached(false, e.toString());
            throw new RelayException(RelayException.Reason.UNAVAILABLE, "relay " + base + " unreachable: " + e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new RelayException(RelayException.Reason.UNAVAILABLE, "interrupted");
        }
    }

    /** Records whether the relay answered; logs only changes, so a dead relay logs once. */
    private void reached(boolean up, String why) {
        Reachability now = up ? Reachability.UP : Reachability.UNREACHABLE;
        Reachability before = reachability.getAndSet(now);
        if (before != now) {
            if (up) {
                LOG.info("remote relay {} up", base);
            } else {
                LOG.warn("remote relay {} unreachable: {}", base, why);
            }
        }
    }

    private static RelayException toException(int status, JsonNode json) {
        String code = json.path("error").asText("");
        String message = json.path("message").asText("HTTP " + status);
        for (RelayException.Reason r : RelayException.Reason.values()) {
            if (r.name().equals(code)) {
                return new RelayException(r, message);
            }
        }
        // 401 and other HTTP-level refusals: the relay cannot be used from here.
        return new RelayException(status == 400 ? RelayException.Reason.BAD_SDP : RelayException.Reason.UNAVAILABLE,
                code + ": " + message);
    }

    private static String conf(String id) {
        return RelayHttpApi.PREFIX + "conferences/" + enc(id);
    }

    private static String ep(String conf, String ep) {
        return conf(conf) + "/endpoints/" + enc(ep);
    }

    private static String enc(String s) {
        return URLEncoder.encode(s, StandardCharsets.UTF_8).replace("+", "%20");
    }

    @Override
    public void close() {
        closed = true;
        Thread w = watcher;
        if (w != null) {
            w.interrupt();
        }
        pollers.values().forEach(Thread::interrupt);
        pollers.clear();
    }
}
