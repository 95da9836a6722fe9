package org.parley.loadtest.scenario;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * {@code --relay-api-secret}: the relay's own view of each receiver, read once a second from its
 * HTTP API ({@code GET /api/relay/conferences/room-<id>/stats}, docs/relay.md): the downlink
 * estimate it allocates from (kbit/s, from the receiver's transport-wide feedback). The load
 * tool cannot know it otherwise; it sits beside the layers the receivers got.
 */
final class RelayEstimates {

    private static final ObjectMapper JSON = new ObjectMapper();

    private final URI api;
    private final String secret;
    private final HttpClient http;
    private final long startNanos;
    /** Per participant id, per second since the start: the estimate in kbit/s, -1 unread. */
    private final Map<String, List<Long>> estimates = new LinkedHashMap<>();

    /** @param metrics the target's /metrics URL: the API is on the same host and port */
    RelayEstimates(URI metrics, String secret, HttpClient http, long startNanos) {
        this.api = metrics.resolve("/api/relay/");
        this.secret = secret;
        this.http = http;
        this.startNanos = startNanos;
    }

    /**
     * Reads one room's stats and records each endpoint's estimate at this second; a room the relay
     * does not hold (404) records nothing.
     *
     * @throws IOException when the API cannot be read (the message says why: a wrong secret is a 401)
     */
    void poll(String roomId, long nowNanos) throws IOException, InterruptedException {
        String conference = URLEncoder.encode("room-" + roomId, StandardCharsets.UTF_8);
        HttpRequest req = HttpRequest.newBuilder(api.resolve("conferences/" + conference + "/stats"))
                .header("Authorization", "Bearer " + secret).timeout(Duration.ofSeconds(5)).GET().build();
        HttpResponse<String> r = http.send(req, HttpResponse.BodyHandlers.ofString());
        if (r.statusCode() == 404) {
            return; // the relay has no such conference (yet: members still joining, or no longer)
        }
        if (r.statusCode() != 200) {
            throw new IOException("relay stats of " + roomId + ": HTTP " + r.statusCode()
                    + (r.statusCode() == 401 ? " (--relay-api-secret is not the relay's parley.relay.api-secret)" : ""));
        }
        int second = (int) Math.max(0, (nowNanos - startNanos) / 1_000_000_000L);
        for (JsonNode e : JSON.readTree(r.body()).path("endpoints")) {
            record(e.path("endpointId").asText(), second, e.path("estimateBps").asLong() / 1000);
        }
    }

    private synchronized void record(String endpointId, int second, long kbps) {
        List<Long> list = estimates.computeIfAbsent(endpointId, k -> new ArrayList<>());
        while (list.size() <= second) {
            list.add(-1L);
        }
        list.set(second, kbps);
    }

    /** The estimates of one participant, per second (-1 for a second not read), empty if none. */
    synchronized List<Long> of(String participantId) {
        return List.copyOf(estimates.getOrDefault(participantId, List.of()));
    }
}
