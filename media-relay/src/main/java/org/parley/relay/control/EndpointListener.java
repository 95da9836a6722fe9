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

    /** The endpoint's transport died (ICE failed, consent expired); signaling may end its session. */
    default void onTransportFailed(String reason) {
    }
}
