package org.parley.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;

/**
 * What a test reads of the relay inside a {@link ParleyServer} started with {@code
 * -Dparley.relay.api-secret=SECRET}: a room's forwarding stats and layer control (the relay's
 * control API, docs/relay.md) and the server's Prometheus counters.
 */
final class RelayApi {

    static final String SECRET = "e2e-relay-api-secret";

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Duration TIMEOUT = Duration.ofSeconds(15);

    private final ParleyServer server;
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(TIMEOUT).build();

    RelayApi(ParleyServer server) {
        this.server = server;
    }

    /** The server option that enables the API this class reads. */
    static String secretOption() {
        return "-Dparley.relay.api-secret=" + SECRET;
    }

    /**
     * How {@code receiver} gets {@code publisher}'s camera in {@code room} (fields of
     * ConferenceStats.ForwardedStreamStats); empty when the relay forwards none.
     */
    JsonNode forwarded(String room, String receiver, String publisher) {
        for (JsonNode e : conference(room).path("endpoints")) {
            if (e.path("endpointId").asText().equals(receiver)) {
                for (JsonNode f : e.path("forwarded")) {
                    if (f.path("sourceEndpointId").asText().equals(publisher) && f.path("kind").asText().equals("VIDEO")) {
                        return f;
                    }
                }
            }
        }
        return JSON.createObjectNode();
    }

    /** The relay's downlink estimate of {@code receiver} in {@code room}, bit/s; -1 when unknown. */
    long estimateBps(String room, String receiver) {
        for (JsonNode e : conference(room).path("endpoints")) {
            if (e.path("endpointId").asText().equals(receiver)) {
                return e.path("estimateBps").asLong(-1);
            }
        }
        return -1;
    }

    /** The relay's stats of {@code room}: every endpoint and what it is forwarded. */
    JsonNode conference(String room) {
        return call("GET", "/api/relay/conferences/room-" + room + "/stats", null);
    }

    /** Sets by hand the simulcast layer {@code receiver} gets of {@code publisher}'s camera. */
    void targetLayer(String room, String receiver, String publisher, int layer) {
        call("PUT", "/api/relay/conferences/room-" + room + "/endpoints/" + receiver + "/target-layer",
                "{\"publisher\":\"" + publisher + "\",\"kind\":\"VIDEO\",\"layer\":" + layer + "}");
    }

    /** The sum of a Prometheus counter's series, e.g. parley_relay_retransmissions. */
    double metric(String name) {
        String body = send(HttpRequest.newBuilder(URI.create(server.origin() + "/metrics")).timeout(TIMEOUT).build());
        return body.lines().filter(l -> l.startsWith(name + " ") || l.startsWith(name + "{")
                || l.startsWith(name + "_total")).mapToDouble(l -> Double.parseDouble(l.substring(l.lastIndexOf(' ') + 1)))
                .sum();
    }

    private JsonNode call(String method, String path, String body) {
        HttpRequest r = HttpRequest.newBuilder(URI.create(server.origin() + path)).timeout(TIMEOUT)
                .header("Authorization", "Bearer " + SECRET)
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body))
                .build();
        try {
            return JSON.readTree(send(r));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private String send(HttpRequest r) {
        try {
            HttpResponse<String> response = http.send(r, HttpResponse.BodyHandlers.ofString());
            assertEquals(200, response.statusCode(), r.method() + " " + r.uri() + ": " + response.body());
            return response.body();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }
}
