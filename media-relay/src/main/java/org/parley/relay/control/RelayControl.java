package org.parley.relay.control;

import java.util.Set;

/**
 * The operations signaling may ask of a media relay. The relay owns all media knowledge, SDP
 * included: signaling only ferries SDP between a client and the relay.
 *
 * <p>Every client has two peer connections with the relay (the way LiveKit does it): a
 * <em>publisher</em> connection, where the client is always the offerer and sends its media, and a
 * <em>subscriber</em> connection, where the relay is always the offerer and sends the media the
 * client subscribed to. Each side only ever offers on its own connection, so renegotiation can
 * never glare.
 *
 * <p>There is an in-process implementation and an HTTP/JSON one for relays on other hosts; both
 * throw {@link RelayException} with a typed {@link RelayException.Reason} for bad requests.
 */
public interface RelayControl {

    /** Creates a conference; creating one that exists is a no-op. */
    void createConference(String conferenceId);

    /** Ends a conference and every endpoint in it. Unknown ids are ignored. */
    void expireConference(String conferenceId);

    /**
     * Allocates an endpoint (one device of one participant) in a conference. The listener receives
     * the relay's offers for the subscriber connection and media events for this endpoint.
     */
    void allocateEndpoint(String conferenceId, String endpointId, EndpointListener listener);

    /**
     * Sends the events of an endpoint that another controller allocated to {@code listener} from
     * now on, those the relay still queues for it first: how a signaling node that takes over a
     * call or room from a node that died or drained hears the relay's offers, transport failures
     * and layer demand for the endpoints it adopted (docs/cluster.md "Rooms across nodes"). The
     * relay keeps one listener per endpoint, so the previous controller hears nothing more.
     */
    default void attachEndpoint(String conferenceId, String endpointId, EndpointListener listener) {
        throw new RelayException(RelayException.Reason.UNAVAILABLE, "this relay control cannot take endpoints over");
    }

    /** Releases an endpoint and stops forwarding its sources. Unknown ids are ignored. */
    void expireEndpoint(String conferenceId, String endpointId);

    /** The client's offer on its publisher connection; returns the relay's SDP answer. */
    String answerPublisherOffer(String conferenceId, String endpointId, String sdpOffer);

    /** The client's answer to the relay's latest offer on its subscriber connection. */
    void acceptSubscriberAnswer(String conferenceId, String endpointId, String sdpAnswer);

    /**
     * A trickled ICE candidate from the client.
     *
     * @param connection which of the client's two connections the candidate belongs to
     * @param candidate an SDP {@code candidate:} attribute value; empty means end-of-candidates
     */
    void addRemoteCandidate(String conferenceId, String endpointId, PeerConnectionRole connection,
            String candidate);

    /**
     * Which other endpoints' sources this endpoint receives. {@code null} means "everyone" (the
     * default); the relay makes a new subscriber offer when the set of forwarded sources changes.
     */
    void setSubscriptions(String conferenceId, String endpointId, Set<String> publisherEndpointIds);

    /** Stops (or resumes) forwarding one kind of an endpoint's media to everyone. */
    void setSourceMuted(String conferenceId, String endpointId, SourceKind kind, boolean muted);

    /**
     * Sets the simulcast layer one receiver gets of one publisher's source: 0 the lowest, -1
     * paused, a layer above the highest means the highest. The switch happens at that layer's
     * next keyframe. An operator and test hook: the receiver's bandwidth allocator leaves a layer
     * set this way alone for as long as that stream lasts.
     */
    default void setTargetLayer(String conferenceId, String receiverEndpointId, String publisherEndpointId,
            SourceKind kind, int layer) {
        throw new RelayException(RelayException.Reason.UNAVAILABLE, "this relay control cannot set layers");
    }

    /**
     * What one receiver asks of the video it gets: last-N, pinned and on-stage endpoints, per-source
     * height caps or off (docs/relay.md, "Allocation"). Replaces the receiver's previous constraints
     * and applies at once; endpoint ids it names need not exist (yet).
     */
    void setReceiverConstraints(String conferenceId, String endpointId, ReceiverConstraints constraints);

    /**
     * Where this relay receives relay-to-relay links ("ip:port"), or UNAVAILABLE when its link
     * socket is off ({@code parley.relay.cascade.port = -1}).
     */
    default String linkAddress() {
        throw new RelayException(RelayException.Reason.UNAVAILABLE, "this relay takes no relay-to-relay links");
    }

    /**
     * Links a conference to the same conference on a peer relay (cascading): from then on each
     * relay sends the other its local sources, and offers the other's to its receivers. The other
     * end must be linked with the same id and keys and the opposite {@code initiator}.
     */
    default void linkConference(String conferenceId, String peerRelayId, LinkSpec spec) {
        throw new RelayException(RelayException.Reason.UNAVAILABLE, "this relay takes no relay-to-relay links");
    }

    /** Drops a conference's link to a peer relay and the sources that came over it; unknown ones are ignored. */
    default void unlinkConference(String conferenceId, String peerRelayId) {
        throw new RelayException(RelayException.Reason.UNAVAILABLE, "this relay takes no relay-to-relay links");
    }

    /** Current figures of one conference, for APIs and tests. */
    ConferenceStats stats(String conferenceId);

    /**
     * Registers what to do when the relay has lost every conference and endpoint, as a remote
     * relay does when its process restarts. Called on a relay thread. The in-process relay lives
     * and dies with its caller, so by default nothing is ever reported.
     */
    default void onRestart(Runnable whenRestarted) {
    }
}
