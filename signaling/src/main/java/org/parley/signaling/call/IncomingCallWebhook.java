package org.parley.signaling.call;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.util.Collection;
import org.parley.signaling.SignalingMetrics;
import org.parley.signaling.session.Session;
import org.parley.signaling.wire.Json;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Tells the operator's push service about every incoming call, with the callee's devices that are
 * connected and ringing, so it can wake the others (docs/protocol.md §7). Fire and forget: the POST runs on the HTTP client's threads, never on the signaling loop, and
 * a failure is logged and counted, not retried (the call rings out on its own timer anyway).
 */
public final class IncomingCallWebhook {

    private static final Logger LOG = LoggerFactory.getLogger(IncomingCallWebhook.class);

    private final URI url;
    private final Duration timeout;
    private final HttpClient http;
    private final SignalingMetrics metrics;

    public IncomingCallWebhook(URI url, Duration timeout, SignalingMetrics metrics) {
        this.url = url;
        this.timeout = timeout;
        this.metrics = metrics;
        this.http = HttpClient.newBuilder().connectTimeout(timeout).build();
    }

    /** {@code connected}: the callee's devices that are ringing now; the push service wakes the others. */
    void incomingCall(Call call, Session caller, Collection<Session> connected, Instant expiresAt) {
        ObjectNode body = Json.object();
        body.put("event", "incoming_call");
        body.put("user", call.calleeUser());
        body.put("callId", call.id());
        ObjectNode from = body.putObject("from");
        from.put("user", caller.user());
        from.put("name", caller.displayName());
        body.put("media", call.media());
        body.put("expiresAt", expiresAt.toEpochMilli());
        var devices = body.putArray("connectedDevices");
        connected.forEach(d -> devices.add(d.device()));
        HttpRequest request = HttpRequest.newBuilder(url).timeout(timeout)
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body.toString())).build();
        http.sendAsync(request, HttpResponse.BodyHandlers.discarding()).whenComplete((response, error) -> {
            if (error != null) {
                metrics.webhook("failed");
                LOG.warn("webhook {} for call {} failed: {}", url, call.id(), error.toString());
            } else if (response.statusCode() / 100 != 2) {
                metrics.webhook("failed");
                LOG.warn("webhook {} for call {} answered {}", url, call.id(), response.statusCode());
            } else {
                metrics.webhook("delivered");
            }
        });
    }
}
