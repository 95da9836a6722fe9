package org.parley.relay.sdp;

import java.util.List;

/**
 * The facts the relay takes from a client's publisher offer.
 *
 * @param extensionIds publisher's id for each {@link HeaderExtension} (by ordinal), 0 when absent
 */
public record PublisherOffer(String iceUfrag, String icePassword, String fingerprint, List<String> candidates,
        List<PublishedTrack> tracks, int[] extensionIds) {

    public int extensionId(HeaderExtension e) {
        return extensionIds[e.ordinal()];
    }

    /** Publisher id to relay id for extensions forwarded to receivers; 0 removes the element. */
    public byte[] forwardingIdMap() {
        byte[] map = new byte[16];
        for (HeaderExtension e : HeaderExtension.values()) {
            int id = extensionIds[e.ordinal()];
            if (id > 0 && id < 15 && e.forwarded()) {
                map[id] = (byte) e.relayId();
            }
        }
        return map;
    }
}
