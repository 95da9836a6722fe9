package org.parley.relay.control;

import java.util.List;

/**
 * A snapshot of one conference on the relay: its endpoints, and its links to other relays
 * (cascading, docs/cluster.md), whose state the signaling node that made them can watch here.
 */
public record ConferenceStats(String conferenceId, List<EndpointStats> endpoints, List<LinkStats> links) {

    public ConferenceStats {
        links = links == null ? List.of() : List.copyOf(links);
    }

    public ConferenceStats(String conferenceId, List<EndpointStats> endpoints) {
        this(conferenceId, endpoints, List.of());
    }

    /**
     * One link of the conference to a peer relay.
     *
     * @param up false once nothing authenticated has come from the peer for 3 s (it sends an
     *        announcement or keepalive every 500 ms, media or not): the peer is gone or unreachable
     * @param silentMillis how long since the last packet from the peer
     * @param downs how often the link went down since it was made
     */
    public record LinkStats(String peerRelay, boolean up, long silentMillis, long downs) {
    }

    /**
     * A snapshot of one endpoint: what it sent to and received from the relay, each source the
     * relay forwards to it, and the relay's estimate of its downlink in bits/s ({@code
     * estimateBps}: from its transport-wide congestion control feedback, else its REMB, else
     * {@code parley.relay.bwe.initial-bitrate}).
     */
    public record EndpointStats(String endpointId, String iceState, long packetsReceived,
            long packetsSent, long bytesReceived, long bytesSent, List<ForwardedStreamStats> forwarded,
            long estimateBps) {

        public EndpointStats {
            forwarded = forwarded == null ? List.of() : List.copyOf(forwarded);
        }

        public EndpointStats(String endpointId, String iceState, long packetsReceived, long packetsSent,
                long bytesReceived, long bytesSent) {
            this(endpointId, iceState, packetsReceived, packetsSent, bytesReceived, bytesSent, List.of(), 0);
        }
    }

    /**
     * One source as this endpoint receives it. Layers are simulcast layers, 0 the lowest; a
     * source without simulcast has one.
     *
     * @param targetLayer the layer the relay aims to forward, -1 when paused
     * @param currentLayer the layer forwarded now, -1 when none (paused, not started, not arriving)
     * @param bitrateBps what the current layer arrives with over the last ~1 s, bits/s
     * @param height the current layer's picture height from its last keyframe, 0 when unknown
     * @param temporalLayer the highest VP8 temporal layer forwarded (3: all of them; docs/relay.md,
     *        "Temporal layers")
     * @param frameRate frames per second of the current layer's temporal layers up to that one, as
     *        measured from their TIDs; 0 when the layer has no temporal layers (or no measure yet)
     */
    public record ForwardedStreamStats(String sourceEndpointId, SourceKind kind, int layerCount, int targetLayer,
            int currentLayer, long bitrateBps, int height, long packetsSent, int temporalLayer, double frameRate) {
    }
}
