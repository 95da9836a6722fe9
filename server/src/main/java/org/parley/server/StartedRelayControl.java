package org.parley.server;

import java.util.Set;
import java.util.function.Supplier;
import org.parley.relay.control.ConferenceStats;
import org.parley.relay.control.EndpointListener;
import org.parley.relay.control.PeerConnectionRole;
import org.parley.relay.control.RelayControl;
import org.parley.relay.control.RelayException;
import org.parley.relay.control.SourceKind;

/**
 * The in-process relay's control as signaling sees it from construction on. Signaling is built
 * before the relay has bound its ports; until then (or if the relay failed to start) every call is
 * refused as {@link RelayException.Reason#UNAVAILABLE}, which signaling reports as a typed error.
 */
final class StartedRelayControl implements RelayControl {

    private final Supplier<RelayControl> started;

    /** {@code started} returns the relay's control, or throws IllegalStateException before start. */
    StartedRelayControl(Supplier<RelayControl> started) {
        this.started = started;
    }

    private RelayControl relay() {
        try {
            return started.get();
        } catch (IllegalStateException notStarted) {
            throw new RelayException(RelayException.Reason.UNAVAILABLE, "media relay not started");
        }
    }

    @Override
    public void createConference(String conferenceId) {
        relay().createConference(conferenceId);
    }

    @Override
    public void expireConference(String conferenceId) {
        relay().expireConference(conferenceId);
    }

    @Override
    public void allocateEndpoint(String conferenceId, String endpointId, EndpointListener listener) {
        relay().allocateEndpoint(conferenceId, endpointId, listener);
    }

    @Override
    public void expireEndpoint(String conferenceId, String endpointId) {
        relay().expireEndpoint(conferenceId, endpointId);
    }

    @Override
    public String answerPublisherOffer(String conferenceId, String endpointId, String sdpOffer) {
        return relay().answerPublisherOffer(conferenceId, endpointId, sdpOffer);
    }

    @Override
    public void acceptSubscriberAnswer(String conferenceId, String endpointId, String sdpAnswer) {
        relay().acceptSubscriberAnswer(conferenceId, endpointId, sdpAnswer);
    }

    @Override
    public void addRemoteCandidate(String conferenceId, String endpointId, PeerConnectionRole connection,
            String candidate) {
        relay().addRemoteCandidate(conferenceId, endpointId, connection, candidate);
    }

    @Override
    public void setSubscriptions(String conferenceId, String endpointId, Set<String> publisherEndpointIds) {
        relay().setSubscriptions(conferenceId, endpointId, publisherEndpointIds);
    }

    @Override
    public void setSourceMuted(String conferenceId, String endpointId, SourceKind kind, boolean muted) {
        relay().setSourceMuted(conferenceId, endpointId, kind, muted);
    }

    @Override
    public void setTargetLayer(String conferenceId, String receiverEndpointId, String publisherEndpointId,
            SourceKind kind, int layer) {
        relay().setTargetLayer(conferenceId, receiverEndpointId, publisherEndpointId, kind, layer);
    }

    @Override
    public void setReceiverConstraints(String conferenceId, String endpointId,
            org.parley.relay.control.ReceiverConstraints constraints) {
        relay().setReceiverConstraints(conferenceId, endpointId, constraints);
    }

    @Override
    public ConferenceStats stats(String conferenceId) {
        return relay().stats(conferenceId);
    }
}
