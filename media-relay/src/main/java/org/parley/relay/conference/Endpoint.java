package org.parley.relay.conference;

import java.io.IOException;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicBoolean;
import org.parley.relay.control.ConferenceStats.EndpointStats;
import org.parley.relay.control.ConferenceStats.ForwardedStreamStats;
import org.parley.relay.control.EndpointListener;
import org.parley.relay.control.PeerConnectionRole;
import org.parley.relay.control.RelayException;
import org.parley.relay.control.SourceKind;
import org.parley.relay.sdp.LocalTransport;
import org.parley.relay.sdp.SdpAnswerer;
import org.parley.relay.transport.PeerTransport;

/**
 * One device of one participant: two peer connections with the relay, a publisher connection
 * (the client offers, sends its media) and a subscriber connection (the relay offers, sends what
 * the client subscribed to). See docs/relay.md for why two.
 */
public final class Endpoint implements Publisher {

    private final String id;
    private final Conference conference;
    private final EndpointListener listener;
    private final RelayContext context;
    private final PeerTransport publisher;
    private final PeerTransport subscriber;
    private final PublisherSide publisherSide;
    private final SubscriberSide subscriberSide;
    private final ReceiverAllocation allocation;
    private final Map<String, SourceKind> kindsByMid = new HashMap<>();
    private final AtomicBoolean closed = new AtomicBoolean();
    private volatile byte[] forwardingExtensionMap = new byte[16];
    private long answerVersion;
    private long lastSeenPublisher;
    private long lastSeenSubscriber;
    private long lastActivityMillis;

    Endpoint(String id, Conference conference, EndpointListener listener, RelayContext context) throws IOException {
        this.id = id;
        this.conference = conference;
        this.listener = listener;
        this.context = context;
        long relaySsrc = ThreadLocalRandom.current().nextLong(1, 0x100000000L);
        this.publisherSide = new PublisherSide(this, context.metrics(), relaySsrc, context.frameCapture());
        this.subscriberSide = new SubscriberSide(this, context.metrics(), relaySsrc, context.bwe(),
                context.scheduler());
        this.allocation = new ReceiverAllocation(subscriberSide, context.clock());
        subscriberSide.onEstimateChanged(bps -> conference.estimateChanged(this));
        String base = conference.id() + "/" + id;
        this.publisher = new PeerTransport(base + "/pub", context.harvesters(), false, context.advertisedIps(),
                context.crypto(), context.certificate(), true, context.metrics(), publisherSide, context.sendPool());
        PeerTransport sub;
        try {
            sub = new PeerTransport(base + "/sub", context.harvesters(), false, context.advertisedIps(),
                    context.crypto(), context.certificate(), true, context.metrics(), subscriberSide,
                    context.sendPool());
        } catch (IOException | RuntimeException e) {
            publisher.close();
            throw e;
        }
        this.subscriber = sub;
        publisherSide.setTransport(publisher);
        subscriberSide.setTransport(subscriber);
        this.lastActivityMillis = context.clock().millis();
    }

    @Override
    public String id() {
        return id;
    }

    Conference conference() {
        return conference;
    }

    EndpointListener listener() {
        return listener;
    }

    @Override
    public double speechScore(long nowNanos) {
        return publisherSide().speechScore(nowNanos);
    }

    PublisherSide publisherSide() {
        return publisherSide;
    }

    SubscriberSide subscriberSide() {
        return subscriberSide;
    }

    ReceiverAllocation allocation() {
        return allocation;
    }

    @Override
    public byte[] forwardingExtensionMap() {
        return forwardingExtensionMap;
    }

    void setForwardingExtensionMap(byte[] map) {
        this.forwardingExtensionMap = map;
    }

    LocalTransport localTransport(PeerTransport t) {
        return new LocalTransport(t.ice().localUfrag(), t.ice().localPassword(), context.certificate().fingerprint(),
                t.ice().localCandidates());
    }

    /**
     * Answers the client's publisher offer and publishes what it sends. An offer with new ICE
     * credentials is an ICE restart (RFC 8445 section 9, RFC 8839 section 4.4.1.1.1): the answer
     * carries fresh relay credentials, and the subscriber connection of the same client is
     * restarted too, since the network change that made the client restart one affects both.
     */
    String answerPublisherOffer(String offer) {
        SdpAnswerer.Result result;
        boolean restart = false;
        synchronized (kindsByMid) {
            result = SdpAnswerer.answer(offer, localTransport(publisher), kindsByMid::get, answerVersion + 1);
            String known = publisher.ice().remoteUfrag();
            if (known != null && !known.equals(result.offer().iceUfrag())) {
                if (!sameFingerprint(publisher, result.offer().fingerprint())) {
                    throw new RelayException(RelayException.Reason.WRONG_STATE,
                            "the DTLS fingerprint changed: expire and allocate the endpoint again");
                }
                restartIce(publisher);
                restart = true;
                result = SdpAnswerer.answer(offer, localTransport(publisher), kindsByMid::get, answerVersion + 1);
            }
            answerVersion++;
            result.offer().tracks().forEach(t -> kindsByMid.put(t.mid(), t.sourceKind()));
        }
        try {
            publisher.setRemote(result.offer().iceUfrag(), result.offer().icePassword(),
                    result.offer().fingerprint(), result.offer().candidates());
        } catch (IllegalArgumentException e) {
            throw new RelayException(RelayException.Reason.WRONG_STATE, e.getMessage());
        }
        publisherSide.apply(result.offer());
        conference.sourcesChanged();
        if (restart && subscriber.ice().isStarted()) {
            subscriberSide.requestIceRestart();
            renegotiate();
        }
        return result.answer();
    }

    private static boolean sameFingerprint(PeerTransport t, String offered) {
        String known = t.remoteFingerprint();
        return known == null || known.equalsIgnoreCase(offered);
    }

    private static void restartIce(PeerTransport t) {
        try {
            t.restartIce();
        } catch (IOException e) {
            throw new RelayException(RelayException.Reason.WRONG_STATE, "ICE restart failed: " + e.getMessage());
        }
    }

    void acceptSubscriberAnswer(String answer) {
        if (subscriberSide.acceptAnswer(answer)) {
            renegotiate();
        }
    }

    /** Makes a new subscriber offer if what this endpoint should receive changed. */
    void renegotiate() {
        if (closed.get()) {
            return;
        }
        String offer = subscriberSide.update(conference.sourcesFor(this), localTransport(subscriber));
        if (offer != null) {
            listener.onSubscriberOffer(offer);
        }
    }

    void addRemoteCandidate(PeerConnectionRole role, String candidate) {
        if (candidate == null || candidate.isBlank()) {
            return;
        }
        (role == PeerConnectionRole.PUBLISHER ? publisher : subscriber).addRemoteCandidate(candidate);
    }

    List<Source> sources() {
        return publisherSide.sources();
    }

    @Override
    public void sendPli(long mediaSsrc) {
        publisherSide.sendPli(mediaSsrc);
    }

    @Override
    public void schedule(Runnable task, long delayNanos) {
        try {
            context.scheduler().schedule(task, delayNanos, java.util.concurrent.TimeUnit.NANOSECONDS);
        } catch (java.util.concurrent.RejectedExecutionException e) {
            // relay shutting down
        }
    }

    void transportFailed(String reason) {
        if (!closed.get()) {
            listener.onTransportFailed(reason);
        }
    }

    /**
     * Tells whether the endpoint has been silent (no datagram on either connection) for longer
     * than {@code timeoutMillis} as of {@code nowMillis}; activity is detected between calls.
     */
    boolean silentFor(long nowMillis, long timeoutMillis) {
        long p = publisher.lastReceiveNanos();
        long s = subscriber.lastReceiveNanos();
        if (p != lastSeenPublisher || s != lastSeenSubscriber) {
            lastSeenPublisher = p;
            lastSeenSubscriber = s;
            lastActivityMillis = nowMillis;
        }
        return nowMillis - lastActivityMillis > timeoutMillis;
    }

    EndpointStats stats() {
        long[] in = publisherSide.received();
        long packetsOut = 0;
        long bytesOut = 0;
        java.util.List<ForwardedStreamStats> forwarded = new java.util.ArrayList<>();
        for (ForwardedStream f : subscriberSide.streams()) {
            packetsOut += f.packetsSent();
            bytesOut += f.bytesSent();
            forwarded.add(f.stats());
        }
        return new EndpointStats(id, publisher.iceState() + "/" + subscriber.iceState(), in[0], packetsOut, in[1],
                bytesOut, forwarded, subscriberSide.availableBandwidthBps());
    }

    void close() {
        if (!closed.compareAndSet(false, true)) {
            return;
        }
        subscriberSide.close();
        publisher.close();
        subscriber.close();
    }

    boolean isPublisherConnected() {
        return publisher.isConnected();
    }

    boolean isSubscriberConnected() {
        return subscriber.isConnected();
    }
}
