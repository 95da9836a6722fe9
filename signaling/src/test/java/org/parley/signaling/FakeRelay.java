package org.parley.signaling;

import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import org.parley.relay.control.ConferenceStats;
import org.parley.relay.control.EndpointListener;
import org.parley.relay.control.PeerConnectionRole;
import org.parley.relay.control.RelayControl;
import org.parley.relay.control.RelayException;
import org.parley.relay.control.SourceKind;

/**
 * A stand-in for the media relay that records what signaling asks of it, for tests of signaling's
 * own logic only (the real relay is proven with Chromium in the relay's tests). It answers an offer
 * with "answer:" + offer and refuses the offer "bad" as the real relay refuses bad SDP.
 */
public final class FakeRelay implements RelayControl {

    public final List<String> log = new CopyOnWriteArrayList<>();
    public final Map<String, EndpointListener> listeners = new ConcurrentHashMap<>();

    private static String key(String conference, String endpoint) {
        return conference + "/" + endpoint;
    }

    @Override
    public void createConference(String conferenceId) {
        log.add("create " + conferenceId);
    }

    @Override
    public void expireConference(String conferenceId) {
        log.add("expire " + conferenceId);
        listeners.keySet().removeIf(k -> k.startsWith(conferenceId + "/"));
    }

    @Override
    public void allocateEndpoint(String conferenceId, String endpointId, EndpointListener listener) {
        if (listeners.putIfAbsent(key(conferenceId, endpointId), listener) != null) {
            throw new RelayException(RelayException.Reason.ENDPOINT_EXISTS, endpointId);
        }
        log.add("allocate " + key(conferenceId, endpointId));
    }

    @Override
    public void expireEndpoint(String conferenceId, String endpointId) {
        listeners.remove(key(conferenceId, endpointId));
        log.add("release " + key(conferenceId, endpointId));
    }

    @Override
    public String answerPublisherOffer(String conferenceId, String endpointId, String sdpOffer) {
        known(conferenceId, endpointId);
        if (sdpOffer.equals("bad")) {
            throw new RelayException(RelayException.Reason.BAD_SDP, "no m-line");
        }
        log.add("offer " + key(conferenceId, endpointId) + " " + sdpOffer);
        return "answer:" + sdpOffer;
    }

    @Override
    public void acceptSubscriberAnswer(String conferenceId, String endpointId, String sdpAnswer) {
        known(conferenceId, endpointId);
        log.add("answer " + key(conferenceId, endpointId) + " " + sdpAnswer);
    }

    @Override
    public void addRemoteCandidate(String conferenceId, String endpointId, PeerConnectionRole connection,
            String candidate) {
        known(conferenceId, endpointId);
        log.add("candidate " + key(conferenceId, endpointId) + " " + connection + " " + candidate);
    }

    @Override
    public void setSubscriptions(String conferenceId, String endpointId, Set<String> publisherEndpointIds) {
        log.add("subscribe " + key(conferenceId, endpointId) + " "
                + (publisherEndpointIds == null ? "everyone" : new java.util.TreeSet<>(publisherEndpointIds)));
    }

    @Override
    public void setSourceMuted(String conferenceId, String endpointId, SourceKind kind, boolean muted) {
        log.add((muted ? "mute " : "unmute ") + key(conferenceId, endpointId) + " " + kind);
    }

    @Override
    public void setReceiverConstraints(String conferenceId, String endpointId,
            org.parley.relay.control.ReceiverConstraints constraints) {
        known(conferenceId, endpointId);
        log.add("constraints " + key(conferenceId, endpointId) + " " + constraints);
    }

    @Override
    public ConferenceStats stats(String conferenceId) {
        return new ConferenceStats(conferenceId, List.of());
    }

    private void known(String conferenceId, String endpointId) {
        if (!listeners.containsKey(key(conferenceId, endpointId))) {
            throw new RelayException(RelayException.Reason.UNKNOWN_ENDPOINT, endpointId);
        }
    }

    /**
     * Waits until {@code line} is logged. Releases, expiries and mutes reach the relay after the
     * request's reply (nobody waits for them), so tests poll for them with a deadline.
     */
    public boolean logged(String line) {
        long deadline = System.nanoTime() + java.util.concurrent.TimeUnit.SECONDS.toNanos(10);
        while (!log.contains(line)) {
            if (System.nanoTime() > deadline) {
                return false;
            }
            try {
                Thread.sleep(5);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return false;
            }
        }
        return true;
    }

    /** The listener signaling gave for an endpoint. */
    public EndpointListener listener(String conferenceId, String endpointId) {
        return listeners.get(key(conferenceId, endpointId));
    }
}
