package org.parley.relay.conference;

import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.parley.relay.control.ConferenceStats;
import org.parley.relay.control.EndpointListener;
import org.parley.relay.control.LinkSpec;
import org.parley.relay.control.PeerConnectionRole;
import org.parley.relay.control.ReceiverConstraints;
import org.parley.relay.control.RelayControl;
import org.parley.relay.control.RelayException;
import org.parley.relay.control.SourceKind;

/** The in-process {@link RelayControl}: conferences of this relay, called directly by signaling. */
public final class LocalRelayControl implements RelayControl {

    private final RelayContext context;
    private final Map<String, Conference> conferences = new ConcurrentHashMap<>();
    private final int maxEndpoints;
    private final int lastN;
    /** The relay-to-relay link socket; null when {@code parley.relay.cascade.port} is -1. */
    private volatile org.parley.relay.cascade.LinkSocket linkSocket;
    private volatile String linkAddress;

    public LocalRelayControl(RelayContext context, int maxEndpoints) {
        this(context, maxEndpoints, -1);
    }

    /** @param lastN {@code parley.relay.last-n}: each receiver's default last-N, -1 unlimited */
    public LocalRelayControl(RelayContext context, int maxEndpoints, int lastN) {
        this.context = context;
        this.maxEndpoints = maxEndpoints;
        this.lastN = lastN;
    }

    @Override
    public void createConference(String conferenceId) {
        requireId(conferenceId, "conference");
        conferences.computeIfAbsent(conferenceId, id -> new Conference(id, context, lastN));
    }

    @Override
    public void expireConference(String conferenceId) {
        Conference c = conferences.remove(conferenceId);
        if (c != null) {
            c.close();
        }
    }

    @Override
    public void allocateEndpoint(String conferenceId, String endpointId, EndpointListener listener) {
        requireId(endpointId, "endpoint");
        if (listener == null) {
            throw new RelayException(RelayException.Reason.WRONG_STATE, "an endpoint needs a listener");
        }
        if (endpointCount() >= maxEndpoints) {
            throw new RelayException(RelayException.Reason.CAPACITY, "relay is at its limit of " + maxEndpoints
                    + " endpoints (parley.relay.max-endpoints)");
        }
        conference(conferenceId).allocate(endpointId, listener);
    }

    @Override
    public void expireEndpoint(String conferenceId, String endpointId) {
        Conference c = conferences.get(conferenceId);
        if (c != null) {
            c.expire(endpointId);
        }
    }

    @Override
    public String answerPublisherOffer(String conferenceId, String endpointId, String sdpOffer) {
        return conference(conferenceId).endpoint(endpointId).answerPublisherOffer(sdpOffer);
    }

    @Override
    public void acceptSubscriberAnswer(String conferenceId, String endpointId, String sdpAnswer) {
        Conference c = conference(conferenceId);
        c.endpoint(endpointId).acceptSubscriberAnswer(sdpAnswer);
        // the streams the answer attached get their layers (last-N, constraints) at once
        c.scheduleAllocation();
    }

    @Override
    public void addRemoteCandidate(String conferenceId, String endpointId, PeerConnectionRole connection,
            String candidate) {
        if (connection == null) {
            throw new RelayException(RelayException.Reason.WRONG_STATE, "candidate without a connection role");
        }
        conference(conferenceId).endpoint(endpointId).addRemoteCandidate(connection, candidate);
    }

    @Override
    public void setSubscriptions(String conferenceId, String endpointId, Set<String> publisherEndpointIds) {
        conference(conferenceId).setSubscriptions(endpointId, publisherEndpointIds);
    }

    @Override
    public void setSourceMuted(String conferenceId, String endpointId, SourceKind kind, boolean muted) {
        if (kind == null) {
            throw new RelayException(RelayException.Reason.WRONG_STATE, "source kind missing");
        }
        for (Source s : conference(conferenceId).endpoint(endpointId).sources()) {
            if (s.kind() == kind) {
                s.setMuted(muted);
            }
        }
    }

    @Override
    public void setTargetLayer(String conferenceId, String receiverEndpointId, String publisherEndpointId,
            SourceKind kind, int layer) {
        Conference c = conference(conferenceId);
        ForwardedStream f = c.forwardedStream(receiverEndpointId, publisherEndpointId, kind);
        // marked first: an allocation running meanwhile must not undo the layer set here
        c.endpoint(receiverEndpointId).allocation().layerSetByHand(f);
        f.setTargetLayer(layer);
    }

    @Override
    public void setReceiverConstraints(String conferenceId, String endpointId, ReceiverConstraints constraints) {
        if (constraints == null) {
            throw new RelayException(RelayException.Reason.WRONG_STATE, "constraints missing");
        }
        conference(conferenceId).setReceiverConstraints(endpointId, constraints);
    }

    /** Turns relay-to-relay links on (the relay server, at start). */
    public void setLinkSocket(org.parley.relay.cascade.LinkSocket socket, String address) {
        this.linkAddress = address;
        this.linkSocket = socket;
    }

    @Override
    public String linkAddress() {
        requireLinks();
        return linkAddress;
    }

    @Override
    public void linkConference(String conferenceId, String peerRelayId, LinkSpec spec) {
        requireId(peerRelayId, "peer relay");
        org.parley.relay.cascade.LinkSocket socket = requireLinks();
        if (spec == null) {
            throw new RelayException(RelayException.Reason.WRONG_STATE, "a link needs its address and keys");
        }
        java.net.InetSocketAddress peer = LinkAddresses.parse(spec.peerAddress());
        Conference c = conference(conferenceId);
        CascadeLink link = c.link(peerRelayId);
        try {
            link.attach(socket.open(spec.linkId(), peer, spec.keyingMaterial(), spec.initiator(), link));
        } catch (IllegalArgumentException e) {
            c.unlink(peerRelayId);
            throw new RelayException(RelayException.Reason.WRONG_STATE, e.getMessage());
        }
        c.tickLinks(System.nanoTime());
        c.scheduleAllocation();
    }

    @Override
    public void unlinkConference(String conferenceId, String peerRelayId) {
        Conference c = conferences.get(conferenceId);
        if (c != null) {
            c.unlink(peerRelayId);
        }
    }

    private org.parley.relay.cascade.LinkSocket requireLinks() {
        org.parley.relay.cascade.LinkSocket socket = linkSocket;
        if (socket == null) {
            throw new RelayException(RelayException.Reason.UNAVAILABLE,
                    "relay-to-relay links are off on this relay (parley.relay.cascade.port = -1)");
        }
        return socket;
    }

    /** Periodic work: link announcements and withdrawals. */
    public void tickLinks(long nowNanos) {
        for (Conference c : conferences.values()) {
            c.tickLinks(nowNanos);
        }
    }

    @Override
    public ConferenceStats stats(String conferenceId) {
        return conference(conferenceId).stats();
    }

    /** The current active speaker of a conference, or null. */
    public String activeSpeaker(String conferenceId) {
        return conference(conferenceId).activeSpeaker();
    }

    public int conferenceCount() {
        return conferences.size();
    }

    public int endpointCount() {
        int n = 0;
        for (Conference c : conferences.values()) {
            n += c.size();
        }
        return n;
    }

    /** Periodic work: active-speaker decisions. */
    public void tickSpeakers(long nowNanos) {
        for (Conference c : conferences.values()) {
            c.detectSpeaker(nowNanos);
        }
    }

    /** Periodic work: every receiver's allocation, for estimates and layer bitrates that moved. */
    public void tickAllocation() {
        for (Conference c : conferences.values()) {
            c.allocate();
        }
    }

    /** Periodic work: expires endpoints whose peers went silent (consent lost, tab closed). */
    public void expireSilentEndpoints(long nowMillis, long timeoutMillis) {
        for (Conference c : conferences.values()) {
            c.expireSilent(nowMillis, timeoutMillis);
        }
    }

    public void close() {
        for (Conference c : List.copyOf(conferences.values())) {
            c.close();
        }
        conferences.clear();
    }

    Conference conference(String id) {
        Conference c = id == null ? null : conferences.get(id);
        if (c == null) {
            throw new RelayException(RelayException.Reason.UNKNOWN_CONFERENCE, "no conference " + id);
        }
        return c;
    }

    private static void requireId(String id, String what) {
        if (id == null || id.isEmpty() || id.length() > 128 || !id.chars().allMatch(ch -> ch > 0x20 && ch < 0x7f)) {
            throw new RelayException(RelayException.Reason.WRONG_STATE,
                    what + " id must be 1..128 printable ASCII characters without spaces");
        }
    }
}
