package org.parley.relay.conference;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.parley.relay.allocation.LayerDemand;
import org.parley.relay.allocation.SpeakerHistory;
import org.parley.relay.control.ConferenceStats;
import org.parley.relay.control.EndpointListener;
import org.parley.relay.control.ReceiverConstraints;
import org.parley.relay.control.RelayException;

/**
 * The endpoints of one meeting, what each publishes, and who receives what. Knows nothing of
 * sockets: forwarding happens in the endpoints' sources.
 */
public final class Conference {

    private final String id;
    private final RelayContext context;
    private final Map<String, Endpoint> endpoints = new ConcurrentHashMap<>();
    private final Map<String, Set<String>> subscriptions = new ConcurrentHashMap<>();
    private final ActiveSpeakerDetector speakers = new ActiveSpeakerDetector();
    private final SpeakerHistory speakerHistory = new SpeakerHistory();
    private final LayerDemand<Source> demand = new LayerDemand<>();
    private final int lastN;
    /** Endpoint id to when it joined: last-N ranks those who never spoke by it. */
    private final Map<String, Long> joinOrder = new ConcurrentHashMap<>();
    private final java.util.concurrent.atomic.AtomicLong joined = new java.util.concurrent.atomic.AtomicLong();
    /** Links to the other relays this conference spans (cascading), by peer relay id. */
    private final List<CascadeLink> links = new java.util.concurrent.CopyOnWriteArrayList<>();

    /** @param lastN {@code parley.relay.last-n}: receivers' default last-N, -1 unlimited */
    Conference(String id, RelayContext context, int lastN) {
        this.id = id;
        this.context = context;
        this.lastN = lastN;
    }

    public String id() {
        return id;
    }

    int size() {
        return endpoints.size();
    }

    Endpoint allocate(String endpointId, EndpointListener listener) {
        try {
            Endpoint created = new Endpoint(endpointId, this, listener, context);
            if (endpoints.putIfAbsent(endpointId, created) != null) {
                created.close();
                throw new RelayException(RelayException.Reason.ENDPOINT_EXISTS,
                        "endpoint " + endpointId + " already exists in " + id);
            }
            joinOrder.put(endpointId, joined.incrementAndGet());
            // Sources already published reach the newcomer with its first subscriber offer.
            created.renegotiate();
            return created;
        } catch (IOException e) {
            throw new RelayException(RelayException.Reason.UNAVAILABLE, "cannot open ICE transport: " + e.getMessage());
        }
    }

    Endpoint endpoint(String endpointId) {
        Endpoint e = endpoints.get(endpointId);
        if (e == null) {
            throw new RelayException(RelayException.Reason.UNKNOWN_ENDPOINT,
                    "no endpoint " + endpointId + " in conference " + id);
        }
        return e;
    }

    void expire(String endpointId) {
        Endpoint e = endpoints.remove(endpointId);
        subscriptions.remove(endpointId);
        speakerHistory.forget(endpointId);
        joinOrder.remove(endpointId);
        if (e != null) {
            e.close();
            sourcesChanged();
        }
    }

    void setSubscriptions(String endpointId, Set<String> publishers) {
        Endpoint e = endpoint(endpointId);
        if (publishers == null) {
            subscriptions.remove(endpointId);
        } else {
            subscriptions.put(endpointId, Set.copyOf(publishers));
        }
        e.renegotiate();
    }

    /** The sources an endpoint should receive: everyone else's, filtered by its subscriptions. */
    List<Source> sourcesFor(Endpoint receiver) {
        Set<String> wanted = subscriptions.get(receiver.id());
        List<Source> out = new ArrayList<>();
        for (Endpoint e : endpoints.values()) {
            if (e == receiver || wanted != null && !wanted.contains(e.id())) {
                continue;
            }
            out.addAll(e.sources());
        }
        for (CascadeLink link : links) {
            for (RemotePublisher p : link.remotePublishers()) {
                if (wanted == null || wanted.contains(p.id())) {
                    out.addAll(p.sources());
                }
            }
        }
        return out;
    }

    /** The links of this conference (publisher receive threads read it per packet: no copy). */
    List<CascadeLink> links() {
        return links;
    }

    /** Adds a link to a peer relay; one per peer. */
    CascadeLink link(String peerRelay) {
        for (CascadeLink l : links) {
            if (l.peerRelay().equals(peerRelay)) {
                throw new RelayException(RelayException.Reason.ENDPOINT_EXISTS,
                        "conference " + id + " is already linked to relay " + peerRelay);
            }
        }
        CascadeLink link = new CascadeLink(this, peerRelay, context);
        links.add(link);
        return link;
    }

    /** Drops the link to a peer relay and the sources that came over it; false when there was none. */
    boolean unlink(String peerRelay) {
        for (CascadeLink l : links) {
            if (l.peerRelay().equals(peerRelay) && links.remove(l)) {
                l.close();
                sourcesChanged();
                allocate();
                return true;
            }
        }
        return false;
    }

    boolean hasLocalEndpoint(String endpointId) {
        return endpoints.containsKey(endpointId);
    }

    /** Every source published on this relay. */
    List<Source> localSources() {
        List<Source> out = new ArrayList<>();
        for (Endpoint e : endpoints.values()) {
            out.addAll(e.sources());
        }
        return out;
    }

    /** A linked relay's receiver wants a keyframe of a local publisher's SSRC (link receive thread). */
    void keyframeRequestedOverLink(long mediaSsrc) {
        Source s = localSourceOfSsrc(mediaSsrc);
        if (s != null) {
            s.requestKeyframe(s.layerOfSsrc(mediaSsrc), false);
        }
    }

    /** The local source one of whose layers has this primary SSRC, or null. */
    Source localSourceOfSsrc(long ssrc) {
        for (Endpoint e : endpoints.values()) {
            for (Source s : e.sources()) {
                if (s.layerOfSsrc(ssrc) >= 0) {
                    return s;
                }
            }
        }
        return null;
    }

    /** Runs {@link #sourcesChanged} on the relay's timer thread (from a packet thread). */
    void scheduleSourcesChanged() {
        try {
            context.scheduler().execute(this::sourcesChanged);
        } catch (java.util.concurrent.RejectedExecutionException e) {
            // relay shutting down
        }
    }

    /** Periodic link work: announcements out, silent remote sources withdrawn (timer thread). */
    void tickLinks(long nowNanos) {
        if (links.isEmpty()) {
            return;
        }
        List<Source> local = localSources();
        for (CascadeLink l : links) {
            l.tick(local, nowNanos);
        }
    }

    /** Something was published or withdrawn: every endpoint checks what it receives. */
    void sourcesChanged() {
        for (Endpoint e : endpoints.values()) {
            e.renegotiate();
        }
        if (!links.isEmpty()) {
            List<Source> local = localSources();
            links.forEach(l -> l.announce(local));
        }
    }

    /** Runs the active-speaker decision; tells every endpoint when it changes. */
    void detectSpeaker(long nowNanos) {
        List<Publisher> publishers = new ArrayList<>(endpoints.values());
        for (CascadeLink link : links) {
            publishers.addAll(link.remotePublishers());
        }
        String changed = speakers.update(publishers, nowNanos);
        if (changed != null) {
            speakerHistory.spoke(changed);
            allocate();
            for (Endpoint e : endpoints.values()) {
                try {
                    e.listener().onActiveSpeaker(changed);
                } catch (RuntimeException ignored) {
                    // a listener's failure must not stop the others being told
                }
            }
        }
    }

    /** A receiver's constraints changed: they apply from the next allocation, made at once. */
    void setReceiverConstraints(String endpointId, ReceiverConstraints constraints) {
        endpoint(endpointId).allocation().setConstraints(constraints);
        scheduleAllocation();
    }

    /** Runs {@link #allocate} on the relay's timer thread, where every allocation runs. */
    void scheduleAllocation() {
        try {
            context.scheduler().execute(this::allocate);
        } catch (java.util.concurrent.RejectedExecutionException e) {
            // relay shutting down
        }
    }

    /**
     * Chooses the layer of every stream of every receiver (docs/relay.md, "Allocation"), then tells
     * each publisher which layers of its sources are needed when that changed. Timer thread only.
     */
    void allocate() {
        List<String> recent = speakerHistory.recent();
        for (Endpoint e : endpoints.values()) {
            e.allocation().run(recent, lastN, id -> joinOrder.getOrDefault(id, Long.MAX_VALUE));
        }
        tellDemand();
    }

    /**
     * A receiver's downlink estimate moved by more than {@link DownlinkBandwidth#NOTIFY_CHANGE}
     * (its feedback thread): its allocation runs again at once on the timer thread, not only at
     * the next periodic round, so a link that filled up costs its receiver a layer promptly.
     */
    void estimateChanged(Endpoint receiver) {
        try {
            context.scheduler().execute(() -> {
                if (endpoints.get(receiver.id()) == receiver) {
                    receiver.allocation().run(speakerHistory.recent(), lastN,
                            id -> joinOrder.getOrDefault(id, Long.MAX_VALUE));
                    tellDemand();
                }
            });
        } catch (java.util.concurrent.RejectedExecutionException e) {
            // relay shutting down
        }
    }

    /** Tells each publisher which layers of its sources some receiver needs, when that changed. */
    private void tellDemand() {
        Map<Source, Integer> highest = new java.util.HashMap<>();
        for (Endpoint e : endpoints.values()) {
            // every stream counts, those whose layer was set by hand too
            for (ForwardedStream f : e.subscriberSide().streams()) {
                highest.merge(f.source(), f.targetLayer(), Math::max);
            }
        }
        List<Source> live = new ArrayList<>();
        for (Endpoint publisher : endpoints.values()) {
            for (Source s : publisher.sources()) {
                live.add(s);
                if (!links.isEmpty()) {
                    // every layer crosses the links: the peers' receivers choose theirs there
                    highest.put(s, s.layerCount() - 1);
                }
                int target = highest.getOrDefault(s, -1);
                if (target >= 0) {
                    // A layer never seen has no bitrate the allocator could weigh, so no receiver
                    // can be given it; suspended before it ever arrived (a sender's encoder starts
                    // its top layer only once its own estimate allows, seconds in), it would never
                    // be seen and never asked back. Kept on until it has arrived once.
                    target = Math.max(target, s.highestLayerNeverArrived());
                }
                List<Boolean> needed = demand.update(s, AllocatedStream.layers(s), target);
                if (needed != null) {
                    try {
                        publisher.listener().onLayersNeeded(s.kind(), needed);
                    } catch (RuntimeException ignored) {
                        // a listener's failure must not stop the others being told
                    }
                }
            }
        }
        demand.retain(live);
    }

    /** Endpoints silent longer than the timeout are expired and their listeners told. */
    void expireSilent(long nowMillis, long timeoutMillis) {
        for (Endpoint e : List.copyOf(endpoints.values())) {
            if (e.silentFor(nowMillis, timeoutMillis)) {
                e.transportFailed("no packets for " + timeoutMillis + " ms");
                expire(e.id());
            }
        }
    }

    /** What {@code receiverId} gets of {@code publisherId}'s source of that kind, or UNKNOWN_ENDPOINT. */
    ForwardedStream forwardedStream(String receiverId, String publisherId, org.parley.relay.control.SourceKind kind) {
        Endpoint publisher = endpoint(publisherId);
        for (ForwardedStream f : endpoint(receiverId).subscriberSide().streams()) {
            if (f.source().publisher() == publisher && f.source().kind() == kind) {
                return f;
            }
        }
        throw new RelayException(RelayException.Reason.UNKNOWN_ENDPOINT,
                receiverId + " receives no " + kind + " of " + publisherId + " in " + id);
    }

    ConferenceStats stats() {
        long now = System.nanoTime();
        return new ConferenceStats(id, endpoints.values().stream().map(Endpoint::stats).toList(),
                links.stream().map(l -> l.stats(now)).toList());
    }

    void close() {
        for (CascadeLink l : links) {
            l.close();
        }
        links.clear();
        for (String e : List.copyOf(endpoints.keySet())) {
            Endpoint ep = endpoints.remove(e);
            if (ep != null) {
                ep.close();
            }
        }
    }

    String activeSpeaker() {
        return speakers.current();
    }
}
