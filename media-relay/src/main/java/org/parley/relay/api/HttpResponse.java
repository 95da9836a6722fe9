package org.parley.relay.api;

import java.nio.charset.StandardCharsets;

/** A response of the relay's HTTP API, independent of the HTTP server that sends it. */
public record HttpResponse(int status, String contentType, byte[] body) {

    static HttpResponse json(int status, String json) {
        return new HttpResponse(status, "application/json", json.getBytes(StandardCharsets.UTF_8));
    }
}
