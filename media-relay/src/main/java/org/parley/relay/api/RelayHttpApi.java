package org.parley.relay.api;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.parley.relay.control.PeerConnectionRole;
import org.parley.relay.control.ReceiverConstraints;
import org.parley.relay.control.RelayControl;
import org.parley.relay.control.RelayException;
import org.parley.relay.control.SourceKind;

/**
 * The relay's control operations over HTTP/JSON, for signaling nodes on other hosts. Mounted by
 * the server at {@code /api/relay/}; every request carries {@code Authorization: Bearer <secret>}.
 * Independent of the HTTP server: {@link #handle} takes the request's parts and completes with
 * the response (the events long poll completes later, so never block a Netty event loop on it).
 *
 * <pre>
 * PUT    /api/relay/conferences/{c}                          create
 * DELETE /api/relay/conferences/{c}                          expire
 * GET    /api/relay/conferences/{c}/stats                    ConferenceStats
 * PUT    /api/relay/conferences/{c}/endpoints/{e}            allocate
 * DELETE /api/relay/conferences/{c}/endpoints/{e}            expire
 * POST   /api/relay/conferences/{c}/endpoints/{e}/publisher-offer   {"sdp"} -> {"sdp"}
 * POST   /api/relay/conferences/{c}/endpoints/{e}/subscriber-answer {"sdp"}
 * POST   /api/relay/conferences/{c}/endpoints/{e}/candidates        {"connection","candidate"}
 * PUT    /api/relay/conferences/{c}/endpoints/{e}/subscriptions     {"publishers": [..] | null}
 * PUT    /api/relay/conferences/{c}/endpoints/{e}/mute              {"kind","muted"}
 * PUT    /api/relay/conferences/{c}/endpoints/{e}/target-layer      {"publisher","kind","layer"}
 * PUT    /api/relay/conferences/{c}/endpoints/{e}/constraints       {"lastN","pinned","onStage","sources"}
 * GET    /api/relay/conferences/{c}/endpoints/{e}/events?timeoutMs=N  [events]
 * PUT    /api/relay/conferences/{c}/links/{peerRelay}        {"linkId","peerAddress","keys","initiator"}
 * DELETE /api/relay/conferences/{c}/links/{peerRelay}        drop the link
 * GET    /api/relay/link-address                             {"address"}: where peers send links' packets
 * GET    /api/relay/instance                                 {"instance"}: new on every start
 * </pre>
 * Errors: 401 without the secret, 404 for unknown paths, otherwise
 * {@code {"error": "<RelayException.Reason>", "message": ...}} with 404 (unknown conference or
 * endpoint), 409 (exists, wrong state), 400 (bad SDP or body), 503 (capacity, unavailable).
 */
public final class RelayHttpApi {

    public static final String PREFIX = "/api/relay/";
    private static final long MAX_POLL_MS = 30_000;
    private static final ObjectMapper JSON = new ObjectMapper();

    private final RelayControl control;
    private final byte[] secret;
    private final ScheduledExecutorService timer;
    private final Map<String, EndpointEvents> events = new ConcurrentHashMap<>();
    /**
     * Names this run of the relay. A relay that restarts has lost every conference; a client that
     * sees the instance change knows it must create them again, even if it never saw the relay down.
     */
    private final String instance = java.util.UUID.randomUUID().toString();

    /**
     * @param secret the shared secret (parley.relay.api-secret); must not be empty
     * @param timer ends long polls
     */
    public RelayHttpApi(RelayControl control, String secret, ScheduledExecutorService timer) {
        if (secret == null || secret.isEmpty()) {
            throw new IllegalArgumentException("the relay HTTP API needs a shared secret");
        }
        this.control = control;
        this.secret = secret.getBytes(StandardCharsets.UTF_8);
        this.timer = timer;
    }

    /**
     * Handles one request.
     *
     * @param authorization the Authorization header value, or null
     * @param path the path with its query, starting with {@link #PREFIX}
     */
    public CompletableFuture<HttpResponse> handle(String method, String path, String authorization, byte[] body) {
        if (!authorized(authorization)) {
            return done(error(401, "UNAUTHORIZED", "missing or wrong relay API secret"));
        }
        try {
            return route(method, path, body == null ? new byte[0] : body);
        } catch (RelayException e) {
            return done(error(statusOf(e.reason()), e.reason().name(), e.getMessage()));
        } catch (BadRequest | IllegalArgumentException e) {
            return done(error(400, "BAD_REQUEST", e.getMessage()));
        } catch (RuntimeException e) {
            return done(error(500, "INTERNAL", "relay error"));
        }
    }

    private boolean authorized(String header) {
        if (header == null || !header.startsWith("Bearer ")) {
            return false;
        }
        return MessageDigest.isEqual(secret, header.substring(7).getBytes(StandardCharsets.UTF_8));
    }

    private CompletableFuture<HttpResponse> route(String method, String fullPath, byte[] body) {
        String path = fullPath;
        String query = "";
        int q = fullPath.indexOf('?');
        if (q >= 0) {
            path = fullPath.substring(0, q);
            query = fullPath.substring(q + 1);
        }
        if (path.equals(PREFIX + "instance") && "GET".equals(method)) {
            return done(ok(write(Map.of("instance", instance))));
        }
        if (path.equals(PREFIX + "link-address") && "GET".equals(method)) {
            return done(ok(write(Map.of("address", control.linkAddress()))));
        }
        if (!path.startsWith(PREFIX + "conferences/")) {
            return done(error(404, "NOT_FOUND", "no such API path"));
        }
        String[] p = path.substring((PREFIX + "conferences/").length()).split("/");
        for (int i = 0; i < p.length; i++) {
            p[i] = java.net.URLDecoder.decode(p[i], StandardCharsets.UTF_8);
        }
        String conf = p[0];
        if (p.length == 1) {
            switch (method) {
                case "PUT" -> control.createConference(conf);
                case "DELETE" -> {
                    control.expireConference(conf);
                    events.keySet().removeIf(k -> k.startsWith(conf + "/"));
                }
                default -> {
                    return done(error(405, "METHOD", method + " not allowed"));
                }
            }
            return done(ok("{}"));
        }
        if (p.length == 2 && "stats".equals(p[1]) && "GET".equals(method)) {
            return done(ok(write(control.stats(conf))));
        }
        if (p.length == 3 && "links".equals(p[1])) {
            switch (method) {
                case "PUT" -> control.linkConference(conf, p[2], LinkJson.read(read(body)));
                case "DELETE" -> control.unlinkConference(conf, p[2]);
                default -> {
                    return done(error(405, "METHOD", method + " not allowed"));
                }
            }
            return done(ok("{}"));
        }
        if (p.length < 3 || !"endpoints".equals(p[1])) {
            return done(error(404, "NOT_FOUND", "no such API path"));
        }
        String ep = p[2];
        String key = conf + "/" + ep;
        if (p.length == 3) {
            switch (method) {
                case "PUT" -> {
                    EndpointEvents listener = new EndpointEvents();
                    control.allocateEndpoint(conf, ep, listener);
                    events.put(key, listener);
                }
                case "DELETE" -> {
                    control.expireEndpoint(conf, ep);
                    events.remove(key);
                }
                default -> {
                    return done(error(405, "METHOD", method + " not allowed"));
                }
            }
            return done(ok("{}"));
        }
        String op = p[3];
        JsonNode in = "GET".equals(method) ? null : read(body);
        switch (op) {
            case "publisher-offer" -> {
                String answer = control.answerPublisherOffer(conf, ep, text(in, "sdp"));
                return done(ok(write(Map.of("sdp", answer))));
            }
            case "subscriber-answer" -> control.acceptSubscriberAnswer(conf, ep, text(in, "sdp"));
            case "candidates" -> control.addRemoteCandidate(conf, ep, role(text(in, "connection")),
                    in.path("candidate").asText(""));
            case "subscriptions" -> {
                JsonNode list = in.get("publishers");
                Set<String> publishers = null;
                if (list != null && !list.isNull()) {
                    publishers = new HashSet<>();
                    for (JsonNode n : list) {
                        publishers.add(n.asText());
                    }
                }
                control.setSubscriptions(conf, ep, publishers);
            }
            case "mute" -> control.setSourceMuted(conf, ep, kind(text(in, "kind")), in.path("muted").asBoolean());
            case "target-layer" -> {
                if (!in.path("layer").isInt() || in.path("layer").asInt() < -1) {
                    throw new BadRequest("field 'layer' must be -1 (paused) or a layer index");
                }
                control.setTargetLayer(conf, ep, text(in, "publisher"), kind(text(in, "kind")), in.path("layer").asInt());
            }
            case "constraints" -> control.setReceiverConstraints(conf, ep, constraints(in));
            case "events" -> {
                return poll(key, query);
            }
            default -> {
                return done(error(404, "NOT_FOUND", "no such API path"));
            }
        }
        return done(ok("{}"));
    }

    private CompletableFuture<HttpResponse> poll(String key, String query) {
        EndpointEvents queue = events.get(key);
        if (queue == null) {
            throw new RelayException(RelayException.Reason.UNKNOWN_ENDPOINT, "no endpoint " + key + " on this API");
        }
        long timeout = 10_000;
        for (String kv : query.split("&")) {
            if (kv.startsWith("timeoutMs=")) {
                try {
                    timeout = Math.max(0, Math.min(MAX_POLL_MS, Long.parseLong(kv.substring(10))));
                } catch (NumberFormatException e) {
                    throw new BadRequest("timeoutMs must be a number");
                }
            }
        }
        CompletableFuture<List<Map<String, Object>>> next = queue.next();
        if (!next.isDone()) {
            timer.schedule(() -> queue.timeout(next), timeout, TimeUnit.MILLISECONDS);
        }
        return next.thenApply(list -> ok(write(list)));
    }

    private static ReceiverConstraints constraints(JsonNode in) {
        try {
            return ConstraintsJson.read(in);
        } catch (IllegalArgumentException e) {
            throw new BadRequest(e.getMessage());
        }
    }

    private static PeerConnectionRole role(String s) {
        try {
            return PeerConnectionRole.valueOf(s);
        } catch (IllegalArgumentException e) {
            throw new BadRequest("connection must be PUBLISHER or SUBSCRIBER");
        }
    }

    private static SourceKind kind(String s) {
        try {
            return SourceKind.valueOf(s);
        } catch (IllegalArgumentException e) {
            throw new BadRequest("kind must be AUDIO, VIDEO or SCREEN");
        }
    }

    private static JsonNode read(byte[] body) {
        try {
            JsonNode n = JSON.readTree(body);
            if (n == null || !n.isObject()) {
                throw new BadRequest("body must be a JSON object");
            }
            return n;
        } catch (java.io.IOException e) {
            throw new BadRequest("body is not JSON");
        }
    }

    private static String text(JsonNode in, String field) {
        JsonNode n = in.get(field);
        if (n == null || !n.isTextual()) {
            throw new BadRequest("field '" + field + "' (string) is required");
        }
        return n.asText();
    }

    private static String write(Object o) {
        try {
            return JSON.writeValueAsString(o);
        } catch (java.io.IOException e) {
            throw new IllegalStateException(e);
        }
    }

    static int statusOf(RelayException.Reason reason) {
        return switch (reason) {
            case UNKNOWN_CONFERENCE, UNKNOWN_ENDPOINT -> 404;
            case ENDPOINT_EXISTS, WRONG_STATE -> 409;
            case BAD_SDP -> 400;
            case CAPACITY, UNAVAILABLE -> 503;
        };
    }

    private static HttpResponse ok(String json) {
        return HttpResponse.json(200, json);
    }

    private static HttpResponse error(int status, String code, String message) {
        return HttpResponse.json(status, write(Map.of("error", code, "message", message == null ? "" : message)));
    }

    private static CompletableFuture<HttpResponse> done(HttpResponse r) {
        return CompletableFuture.completedFuture(r);
    }

    private static final class BadRequest extends RuntimeException {
        private static final long serialVersionUID = 1L;

        BadRequest(String message) {
            super(message);
        }
    }
}
