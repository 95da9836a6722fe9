package org.parley.relay.control;

/**
 * What the relay tells signaling about one endpoint. Called from relay threads; implementations
 * must not block.
 */
public interface EndpointListener {

    /** A new offer for the endpoint's subscriber connection; signaling sends it to the client. */
    void onSubscriberOffer(String sdpOffer);

    /** A relay ICE candidate for one of the endpoint's connections (empty: end of candidates). */
    default void onLocalCandidate(PeerConnectionRole connection, String candidate) {
    }

    /** The loudest speaker of the conference changed. */
    default void onActiveSpeaker(String speakerEndpointId) {
    }

    /**
     * Which layers of one of this endpoint's sources some receiver needs changed (index 0 the
     * lowest): signaling tells the device, whose encoder then stops (or resumes) the others.
     * Only for sources with more than one layer; the lowest is always needed.
     */
    default void onLayersNeeded(SourceKind kind, java.util.List<Boolean> active) {
    }

    /** The endpoint's transport died (ICE failed, consent expired); signaling may end its session. */
    default void onTransportFailed(String reason) {
    }
}
