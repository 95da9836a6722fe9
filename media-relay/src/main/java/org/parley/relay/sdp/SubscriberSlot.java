package org.parley.relay.sdp;

/**
 * One m-section of a subscriber connection as the relay offers it: a stable mid and kind, and
 * what it currently carries ({@code streamId == null}: inactive, waiting to be reused).
 *
 * @param streamId msid stream id (the publishing endpoint), or null when inactive
 * @param trackId msid track id (endpoint and source kind)
 * @param ssrc the SSRC the receiver sees (rewritten by the relay)
 * @param rtxSsrc the receiver-side RTX SSRC for video, 0 for audio
 */
public record SubscriberSlot(String mid, String kind, String streamId, String trackId, long ssrc, long rtxSsrc) {

    public boolean active() {
        return streamId != null;
    }
}
