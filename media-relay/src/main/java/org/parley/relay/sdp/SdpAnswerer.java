package org.parley.relay.sdp;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.Function;
import org.parley.relay.control.SourceKind;

/**
 * Answers a client's offer on its publisher connection (RFC 8829 section 5.3, RFC 3264 section
 * 6): every audio/video section is accepted receive-only with the codecs the relay forwards, all
 * accepted sections BUNDLEd on the relay's one transport (RFC 8843), rtcp-mux (RFC 5761), the
 * relay as DTLS server (a=setup:passive, RFC 5763 section 5). Other sections are rejected with
 * port 0.
 */
public final class SdpAnswerer {

    /** The answer text and what the relay learned from the offer. */
    public record Result(String answer, PublisherOffer offer) {
    }

    private SdpAnswerer() {
    }

    /**
     * @param previousKinds the source kind already given to a mid by an earlier offer (null if new),
     *        so renegotiation never turns a camera into a screen share
     */
    public static Result answer(String offerSdp, LocalTransport local, Function<String, SourceKind> previousKinds,
            long sessionVersion) {
        SessionDescription offer = SessionDescription.parse(offerSdp);
        if (offer.media().isEmpty()) {
            throw SessionDescription.bad("offer has no media sections");
        }
        String ufrag = null;
        String pwd = null;
        String fingerprint = null;
        List<String> candidates = new ArrayList<>();
        int[] extIds = new int[HeaderExtension.values().length];
        Map<Integer, String> idToUri = new LinkedHashMap<>();
        List<PublishedTrack> tracks = new ArrayList<>();
        List<String> bundled = new ArrayList<>();
        StringBuilder body = new StringBuilder();
        boolean haveCamera = false;
        for (MediaSection m : offer.media()) {
            if (!"video".equals(m.kind())) {
                continue;
            }
            SourceKind k = m.mid() == null ? null : previousKinds.apply(m.mid());
            if (k == SourceKind.VIDEO) {
                haveCamera = true;
            }
        }

        for (MediaSection m : offer.media()) {
            String mid = m.mid();
            if (mid == null) {
                throw SessionDescription.bad("media section without a=mid (unified plan needs one)");
            }
            boolean media = ("audio".equals(m.kind()) || "video".equals(m.kind()))
                    && m.protocol().contains("SAVPF") && m.port() != 0;
            if (!media) {
                body.append("m=").append(m.kind()).append(" 0 ").append(m.protocol()).append(' ')
                        .append(String.join(" ", m.formats())).append("\r\n")
                        .append("c=IN IP4 0.0.0.0\r\n").append("a=mid:").append(mid).append("\r\n");
                continue;
            }
            String u = offer.attribute(m, "ice-ufrag");
            String p = offer.attribute(m, "ice-pwd");
            String fp = offer.attribute(m, "fingerprint");
            if (u == null || p == null || fp == null) {
                throw SessionDescription.bad("section " + mid + " lacks ice-ufrag, ice-pwd or fingerprint");
            }
            if (ufrag == null) {
                ufrag = u;
                pwd = p;
                fingerprint = parseFingerprint(fp);
            }
            candidates.addAll(m.attributes("candidate").stream().map(c -> "candidate:" + c).toList());

            Map<Integer, RelayCodec> pts = new LinkedHashMap<>();
            Map<Integer, RelayCodec> rtxPts = new LinkedHashMap<>();
            for (String f : m.formats()) {
                RelayCodec c = RelayCodec.match(m.kind(), m.rtpmap(f), m.fmtp(f));
                if (c != null) {
                    pts.put(payloadType(f), c);
                }
            }
            for (String f : m.formats()) {
                String map = m.rtpmap(f);
                if (map != null && map.toLowerCase(Locale.ROOT).startsWith("rtx/")) {
                    Integer apt = apt(m.fmtp(f));
                    if (apt != null && pts.containsKey(apt)) {
                        rtxPts.put(payloadType(f), pts.get(apt));
                    }
                }
            }
            String direction = m.direction();
            boolean sending = pts.size() > 0 && ("sendonly".equals(direction) || "sendrecv".equals(direction));

            List<String> fmts = new ArrayList<>();
            pts.keySet().forEach(pt -> fmts.add(pt.toString()));
            rtxPts.keySet().forEach(pt -> fmts.add(pt.toString()));
            if (fmts.isEmpty()) {
                // No common codec: reject the section (RFC 3264 section 6), keeping its formats.
                body.append("m=").append(m.kind()).append(" 0 ").append(m.protocol()).append(' ')
                        .append(String.join(" ", m.formats())).append("\r\nc=IN IP4 0.0.0.0\r\na=mid:")
                        .append(mid).append("\r\n");
                continue;
            }
            body.append("m=").append(m.kind()).append(" 9 ").append(m.protocol()).append(' ');
            bundled.add(mid);
            body.append(String.join(" ", fmts)).append("\r\n");
            body.append("c=IN IP4 0.0.0.0\r\n");
            body.append("a=rtcp:9 IN IP4 0.0.0.0\r\n");
            appendTransport(body, local, "passive");
            body.append("a=mid:").append(mid).append("\r\n");
            for (String ext : m.attributes("extmap")) {
                String[] f = ext.split(" ");
                if (f.length < 2) {
                    continue;
                }
                HeaderExtension he = HeaderExtension.byUri(f[1]);
                int id = parseExtId(f[0]);
                if (he == null || id <= 0 || id >= 15 || !he.appliesTo(m.kind())) {
                    continue;
                }
                String known = idToUri.putIfAbsent(id, he.uri());
                if (known != null && !known.equals(he.uri())) {
                    throw SessionDescription.bad("extmap id " + id + " stands for two URIs");
                }
                extIds[he.ordinal()] = id;
                body.append("a=extmap:").append(id).append(' ').append(he.uri()).append("\r\n");
            }
            body.append("a=").append(sending ? "recvonly" : "inactive").append("\r\n");
            body.append("a=rtcp-mux\r\n");
            if (m.hasFlag("rtcp-rsize")) {
                body.append("a=rtcp-rsize\r\n");
            }
            for (Map.Entry<Integer, RelayCodec> e : pts.entrySet()) {
                int pt = e.getKey();
                body.append("a=rtpmap:").append(pt).append(' ').append(m.rtpmap(Integer.toString(pt))).append("\r\n");
                for (String fb : m.attributes("rtcp-fb")) {
                    if (fb.startsWith(pt + " ") && acceptedFeedback(fb.substring(fb.indexOf(' ') + 1))) {
                        body.append("a=rtcp-fb:").append(fb).append("\r\n");
                    }
                }
                String fmtp = m.fmtp(Integer.toString(pt));
                if (!fmtp.isEmpty()) {
                    body.append("a=fmtp:").append(pt).append(' ').append(fmtp).append("\r\n");
                }
            }
            for (Integer pt : rtxPts.keySet()) {
                body.append("a=rtpmap:").append(pt).append(' ').append(m.rtpmap(pt.toString())).append("\r\n");
                body.append("a=fmtp:").append(pt).append(' ').append(m.fmtp(pt.toString())).append("\r\n");
            }
            List<String> rids = new ArrayList<>();
            for (String rid : m.attributes("rid")) {
                String[] f = rid.split(" ");
                if (f.length >= 2 && "send".equals(f[1])) {
                    rids.add(f[0]);
                    body.append("a=rid:").append(f[0]).append(" recv\r\n");
                }
            }
            String simulcast = m.attribute("simulcast");
            if (simulcast != null && !rids.isEmpty() && simulcast.startsWith("send ")) {
                // Accept the layers as offered (RFC 8853 section 5.3); each receiver gets one.
                body.append("a=simulcast:recv ").append(simulcast.substring(5)).append("\r\n");
                rids = simulcastOrder(simulcast.substring(5), rids);
            }
            appendCandidates(body, local);
            if (sending) {
                SourceKind kind = kindOf(m, previousKinds.apply(mid), haveCamera);
                if (kind == SourceKind.VIDEO) {
                    haveCamera = true;
                }
                tracks.add(track(m, kind, pts, rtxPts, rids));
            }
        }
        if (bundled.isEmpty()) {
            throw SessionDescription.bad("offer has no audio or video section the relay can receive");
        }
        StringBuilder sdp = new StringBuilder();
        sdp.append("v=0\r\n").append("o=- ").append(Math.abs(local.iceUfrag().hashCode())).append(' ')
                .append(sessionVersion).append(" IN IP4 0.0.0.0\r\n").append("s=-\r\n").append("t=0 0\r\n")
                .append("a=group:BUNDLE ").append(String.join(" ", bundled)).append("\r\n")
                .append("a=msid-semantic: WMS\r\n").append(body);
        PublisherOffer info = new PublisherOffer(ufrag, pwd, fingerprint, candidates, tracks, extIds);
        return new Result(sdp.toString(), info);
    }

    static void appendTransport(StringBuilder body, LocalTransport local, String setup) {
        body.append("a=ice-ufrag:").append(local.iceUfrag()).append("\r\n");
        body.append("a=ice-pwd:").append(local.icePassword()).append("\r\n");
        body.append("a=fingerprint:sha-256 ").append(local.fingerprint()).append("\r\n");
        body.append("a=setup:").append(setup).append("\r\n");
    }

    static void appendCandidates(StringBuilder body, LocalTransport local) {
        for (String c : local.candidates()) {
            body.append("a=").append(c).append("\r\n");
        }
        body.append("a=end-of-candidates\r\n");
    }

    /** The feedback the relay acts on (RFC 4585, RFC 5104, TWCC); others are left out. */
    private static boolean acceptedFeedback(String fb) {
        return fb.equals("nack") || fb.equals("nack pli") || fb.equals("ccm fir") || fb.equals("transport-cc");
    }

    static String parseFingerprint(String value) {
        String[] f = value.trim().split(" ");
        if (f.length != 2 || !"sha-256".equalsIgnoreCase(f[0])) {
            throw SessionDescription.bad("only sha-256 fingerprints are accepted");
        }
        return f[1].toUpperCase(Locale.ROOT);
    }

    static Integer apt(String fmtp) {
        for (String p : fmtp.split(";")) {
            String t = p.trim();
            if (t.startsWith("apt=")) {
                try {
                    return Integer.parseInt(t.substring(4));
                } catch (NumberFormatException e) {
                    return null;
                }
            }
        }
        return null;
    }

    private static int parseExtId(String s) {
        try {
            return Integer.parseInt(SessionDescription.firstField(s, '/'));
        } catch (NumberFormatException e) {
            return -1;
        }
    }

    private static SourceKind kindOf(MediaSection m, SourceKind previous, boolean haveCamera) {
        if (previous != null) {
            return previous;
        }
        if ("audio".equals(m.kind())) {
            return SourceKind.AUDIO;
        }
        // RFC 4796 a=content:slides marks a screen share; otherwise the first video is the camera.
        if ("slides".equals(m.attribute("content")) || haveCamera) {
            return SourceKind.SCREEN;
        }
        return SourceKind.VIDEO;
    }

    private static long ssrc(String s) {
        try {
            long v = Long.parseLong(s);
            if (v >= 0 && v <= 0xFFFFFFFFL) {
                return v;
            }
        } catch (NumberFormatException e) {
            // reported below
        }
        throw SessionDescription.bad("bad SSRC " + s);
    }

    /** A payload type 0..127 (RFC 3550), or BAD_SDP. */
    private static int payloadType(String s) {
        try {
            int v = Integer.parseInt(s);
            if (v >= 0 && v <= 127) {
                return v;
            }
        } catch (NumberFormatException e) {
            // reported below
        }
        throw SessionDescription.bad("bad payload type " + s);
    }

    /**
     * The rids in the order a=simulcast lists them (RFC 8853 section 5.1: ';' separates streams,
     * ',' alternatives of one, '~' a paused one), which parley.js and libwebrtc write lowest
     * resolution first: that order is the layer order. Rids a=simulcast leaves out are dropped.
     */
    static List<String> simulcastOrder(String streams, List<String> rids) {
        List<String> ordered = new ArrayList<>();
        for (String stream : streams.trim().split(";")) {
            String first = SessionDescription.firstField(stream.trim(), ',').trim();
            if (first.startsWith("~")) {
                first = first.substring(1);
            }
            if (rids.contains(first) && !ordered.contains(first)) {
                ordered.add(first);
            }
        }
        return ordered.isEmpty() ? rids : ordered;
    }

    private static PublishedTrack track(MediaSection m, SourceKind kind, Map<Integer, RelayCodec> pts,
            Map<Integer, RelayCodec> rtxPts, List<String> rids) {
        List<Long> ssrcs = new ArrayList<>();
        Map<Long, Long> rtx = new LinkedHashMap<>();
        for (String group : m.attributes("ssrc-group")) {
            String[] f = group.split(" ");
            if (f.length == 3 && "FID".equals(f[0])) {
                long primary = ssrc(f[1]);
                rtx.put(ssrc(f[2]), primary);
            }
        }
        for (String group : m.attributes("ssrc-group")) {
            String[] f = group.split(" ");
            if (f.length >= 2 && "SIM".equals(f[0]) && ssrcs.isEmpty()) {
                // SSRC-signalled simulcast: the group lists the layers lowest first, as
                // libwebrtc writes it.
                for (int i = 1; i < f.length; i++) {
                    ssrcs.add(ssrc(f[i]));
                }
            }
        }
        for (String line : m.attributes("ssrc")) {
            long ssrc = ssrc(SessionDescription.firstField(line, ' '));
            if (!rtx.containsKey(ssrc) && !ssrcs.contains(ssrc)) {
                ssrcs.add(ssrc);
            }
        }
        return new PublishedTrack(m.mid(), kind, m.kind(), pts, rtxPts, ssrcs, rtx, rids);
    }
}
