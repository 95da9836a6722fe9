package org.parley.relay.sdp;

import java.util.List;
import java.util.Map;
import org.parley.relay.control.SourceKind;

/**
 * What one m-section of a publisher's offer sends: its codecs by the publisher's payload types,
 * its SSRCs (with RTX repair SSRCs, RFC 4588 a=ssrc-group:FID), and simulcast rids if any.
 *
 * @param payloadTypes publisher payload type to relay codec
 * @param rtxPayloadTypes publisher RTX payload type to the codec it repairs
 * @param ssrcs primary SSRCs announced by a=ssrc (may be empty with rids or mid-only)
 * @param rtxSsrcs RTX SSRC to the primary SSRC it repairs
 */
public record PublishedTrack(String mid, SourceKind sourceKind, String kind, Map<Integer, RelayCodec> payloadTypes,
        Map<Integer, RelayCodec> rtxPayloadTypes, List<Long> ssrcs, Map<Long, Long> rtxSsrcs, List<String> rids) {
}
