package org.parley.relay.api;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import org.parley.relay.control.EndpointListener;
import org.parley.relay.control.PeerConnectionRole;
import org.parley.relay.control.SourceKind;

/**
 * Queues what the relay tells one remotely controlled endpoint, until the remote side fetches it
 * (long poll). Bounded: a remote side that stops polling loses the oldest events, not memory.
 */
final class EndpointEvents implements EndpointListener {

    private static final int MAX_QUEUED = 256;

    private final List<Map<String, Object>> queue = new ArrayList<>();
    private CompletableFuture<List<Map<String, Object>>> waiter;

    @Override
    public void onSubscriberOffer(String sdpOffer) {
        add(Map.of("type", "subscriberOffer", "sdp", sdpOffer));
    }

    @Override
    public void onLocalCandidate(PeerConnectionRole connection, String candidate) {
        add(Map.of("type", "localCandidate", "connection", connection.name(), "candidate", candidate));
    }

    @Override
    public void onActiveSpeaker(String speakerEndpointId) {
        add(Map.of("type", "activeSpeaker", "endpoint", speakerEndpointId));
    }

    @Override
    public void onLayersNeeded(SourceKind kind, List<Boolean> active) {
        add(Map.of("type", "layersNeeded", "kind", kind.name(), "active", List.copyOf(active)));
    }

    @Override
    public void onTransportFailed(String reason) {
        add(Map.of("type", "transportFailed", "reason", reason));
    }

    private void add(Map<String, Object> event) {
        CompletableFuture<List<Map<String, Object>>> w;
        List<Map<String, Object>> batch;
        synchronized (this) {
            if (queue.size() >= MAX_QUEUED) {
                queue.remove(0);
            }
            queue.add(event);
            w = waiter;
            waiter = null;
            batch = w == null ? null : drain();
        }
        if (w != null) {
            w.complete(batch);
        }
    }

    private List<Map<String, Object>> drain() {
        List<Map<String, Object>> out = new ArrayList<>(queue);
        queue.clear();
        return out;
    }

    /** Completes with the queued events at once, or with the next ones, or empty on timeout. */
    synchronized CompletableFuture<List<Map<String, Object>>> next() {
        if (!queue.isEmpty()) {
            return CompletableFuture.completedFuture(drain());
        }
        if (waiter != null) {
            // A newer poll replaces an older one: the older gets an empty answer.
            waiter.complete(List.of());
        }
        waiter = new CompletableFuture<>();
        return waiter;
    }

    synchronized void timeout(CompletableFuture<List<Map<String, Object>>> w) {
        if (waiter == w) {
            waiter = null;
        }
        w.complete(List.of());
    }
}
