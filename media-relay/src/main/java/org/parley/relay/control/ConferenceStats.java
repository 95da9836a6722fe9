package org.parley.relay.control;

import java.util.List;

/** A snapshot of one conference on the relay. */
public record ConferenceStats(String conferenceId, List<EndpointStats> endpoints) {

    /** A snapshot of one endpoint: what it sent to and received from the relay. */
    public record EndpointStats(String endpointId, String iceState, long packetsReceived,
            long packetsSent, long bytesReceived, long bytesSent) {
    }
}
