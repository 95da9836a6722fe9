package org.parley.relay.sdp;

import java.util.ArrayList;
import java.util.List;

/**
 * Builds the relay's offer on a subscriber connection (RFC 8829 section 5.2): one send-only
 * section per forwarded source with the relay's fixed payload types and extension ids, SSRCs and
 * msid so the browser maps each track to its publisher (RFC 8830), all BUNDLEd. Sections are never
 * removed, only made inactive and reused, so m-line order stays stable across renegotiations
 * (RFC 8829 section 5.2.2).
 */
public final class SubscriberOffer {

    private SubscriberOffer() {
    }

    public static String build(LocalTransport local, List<SubscriberSlot> slots, long sessionId, long version) {
        List<String> mids = new ArrayList<>();
        slots.forEach(s -> mids.add(s.mid()));
        StringBuilder sdp = new StringBuilder();
        sdp.append("v=0\r\n").append("o=- ").append(sessionId).append(' ').append(version)
                .append(" IN IP4 0.0.0.0\r\n").append("s=-\r\n").append("t=0 0\r\n")
                .append("a=group:BUNDLE ").append(String.join(" ", mids)).append("\r\n")
                .append("a=msid-semantic: WMS *\r\n");
        for (SubscriberSlot s : slots) {
            appendSection(sdp, local, s);
        }
        return sdp.toString();
    }

    private static void appendSection(StringBuilder sdp, LocalTransport local, SubscriberSlot s) {
        boolean video = "video".equals(s.kind());
        List<RelayCodec> codecs = new ArrayList<>();
        for (RelayCodec c : RelayCodec.values()) {
            if (c.kind().equals(s.kind())) {
                codecs.add(c);
            }
        }
        List<String> pts = new ArrayList<>();
        codecs.forEach(c -> pts.add(Integer.toString(c.payloadType())));
        codecs.stream().filter(c -> c.rtxPayloadType() > 0).forEach(c -> pts.add(Integer.toString(c.rtxPayloadType())));
        sdp.append("m=").append(s.kind()).append(" 9 UDP/TLS/RTP/SAVPF ").append(String.join(" ", pts)).append("\r\n");
        sdp.append("c=IN IP4 0.0.0.0\r\n").append("a=rtcp:9 IN IP4 0.0.0.0\r\n");
        SdpAnswerer.appendTransport(sdp, local, "actpass");
        sdp.append("a=mid:").append(s.mid()).append("\r\n");
        for (HeaderExtension e : HeaderExtension.values()) {
            if (e.forwarded() && e.appliesTo(s.kind())) {
                sdp.append("a=extmap:").append(e.relayId()).append(' ').append(e.uri()).append("\r\n");
            }
        }
        sdp.append(s.active() ? "a=sendonly\r\n" : "a=inactive\r\n");
        if (s.active()) {
            sdp.append("a=msid:").append(s.streamId()).append(' ').append(s.trackId()).append("\r\n");
        }
        sdp.append("a=rtcp-mux\r\n").append("a=rtcp-rsize\r\n");
        for (RelayCodec c : codecs) {
            int pt = c.payloadType();
            sdp.append("a=rtpmap:").append(pt).append(' ').append(c.rtpmap()).append("\r\n");
            // Receivers send transport-wide feedback about the relay's own transport-wide sequence
            // numbers (the relay estimates their downlink, docs/relay.md "Bandwidth estimation");
            // REMB from the forwarded abs-send-time stays as the fallback.
            sdp.append("a=rtcp-fb:").append(pt).append(" goog-remb\r\n");
            sdp.append("a=rtcp-fb:").append(pt).append(" transport-cc\r\n");
            if (video) {
                sdp.append("a=rtcp-fb:").append(pt).append(" ccm fir\r\n");
                sdp.append("a=rtcp-fb:").append(pt).append(" nack\r\n");
                sdp.append("a=rtcp-fb:").append(pt).append(" nack pli\r\n");
            }
            if (!c.fmtp().isEmpty()) {
                sdp.append("a=fmtp:").append(pt).append(' ').append(c.fmtp()).append("\r\n");
            }
        }
        for (RelayCodec c : codecs) {
            if (c.rtxPayloadType() > 0) {
                sdp.append("a=rtpmap:").append(c.rtxPayloadType()).append(" rtx/").append(c.clockRate()).append("\r\n");
                sdp.append("a=fmtp:").append(c.rtxPayloadType()).append(" apt=").append(c.payloadType()).append("\r\n");
            }
        }
        if (s.active()) {
            String cname = s.streamId();
            if (video && s.rtxSsrc() != 0) {
                sdp.append("a=ssrc-group:FID ").append(s.ssrc()).append(' ').append(s.rtxSsrc()).append("\r\n");
            }
            appendSsrc(sdp, s.ssrc(), cname, s);
            if (video && s.rtxSsrc() != 0) {
                appendSsrc(sdp, s.rtxSsrc(), cname, s);
            }
        }
        SdpAnswerer.appendCandidates(sdp, local);
    }

    private static void appendSsrc(StringBuilder sdp, long ssrc, String cname, SubscriberSlot s) {
        sdp.append("a=ssrc:").append(ssrc).append(" cname:").append(cname).append("\r\n");
        sdp.append("a=ssrc:").append(ssrc).append(" msid:").append(s.streamId()).append(' ').append(s.trackId())
                .append("\r\n");
    }
}
