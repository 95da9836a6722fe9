package org.parley.relay.conference;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import org.parley.relay.control.SourceKind;
import org.parley.relay.rtp.RtpPacket;
import org.parley.relay.sdp.PublishedTrack;
import org.parley.relay.sdp.RelayCodec;

/**
 * What a relay tells a linked relay about one of its local sources, so that the peer can offer it
 * to its own receivers: publisher id, mid, kind, payload types, each layer's SSRC and the
 * publisher's header-extension map. Carried in an RTCP APP packet (RFC 3550 section 6.7, name
 * {@code PRLY}) over the link, JSON in its application data, sent again every link tick: a
 * source no longer announced is withdrawn at the peer after {@link CascadeLink#FORGET_AFTER_NANOS}.
 * Not on the packet path (the relay timer and control calls only).
 */
record SourceAnnouncement(String publisher, String mid, SourceKind sourceKind, String kind,
        Map<Integer, RelayCodec> payloadTypes, Map<Integer, RelayCodec> rtxPayloadTypes, List<Long> layerSsrcs,
        byte[] extensionMap) {

    static final int APP = 204;
    private static final byte[] NAME = "PRLY".getBytes(StandardCharsets.US_ASCII);
    private static final ObjectMapper JSON = new ObjectMapper();

    static SourceAnnouncement of(Source s) {
        List<Long> ssrcs = new ArrayList<>();
        for (int i = 0; i < s.layerCount(); i++) {
            ssrcs.add(s.layer(i).ssrc());
        }
        PublishedTrack t = s.track();
        return new SourceAnnouncement(s.publisher().id(), s.mid(), s.kind(), s.mediaKind(), t.payloadTypes(),
                t.rtxPayloadTypes(), ssrcs, s.publisher().forwardingExtensionMap());
    }

    /** The track a receiving relay builds its copy of the source from (SSRC-signalled layers). */
    PublishedTrack track() {
        List<Long> known = new ArrayList<>(layerSsrcs);
        return new PublishedTrack(mid, sourceKind, kind, payloadTypes, rtxPayloadTypes, known, Map.of(), List.of());
    }

    /** Writes the APP packet at {@code at}; returns its length, or -1 when it would not fit {@code max}. */
    int write(byte[] b, int at, long senderSsrc, int max) {
        ObjectNode o = JSON.createObjectNode();
        o.put("p", publisher).put("m", mid).put("k", sourceKind.name()).put("t", kind);
        ObjectNode pts = o.putObject("pt");
        payloadTypes.forEach((pt, c) -> pts.put(Integer.toString(pt), c.name()));
        ObjectNode rtx = o.putObject("rtx");
        rtxPayloadTypes.forEach((pt, c) -> rtx.put(Integer.toString(pt), c.name()));
        var ssrcs = o.putArray("s");
        layerSsrcs.forEach(ssrcs::add);
        o.put("x", HexFormat.of().formatHex(extensionMap));
        byte[] body = o.toString().getBytes(StandardCharsets.UTF_8);
        int padded = (body.length + 3) & ~3;
        int len = 12 + padded;
        if (len > max) {
            return -1;
        }
        b[at] = (byte) 0x80;
        b[at + 1] = (byte) APP;
        RtpPacket.putShort(b, at + 2, len / 4 - 1);
        RtpPacket.putInt(b, at + 4, (int) senderSsrc);
        System.arraycopy(NAME, 0, b, at + 8, 4);
        System.arraycopy(body, 0, b, at + 12, body.length);
        for (int i = body.length; i < padded; i++) {
            b[at + 12 + i] = ' ';
        }
        return len;
    }

    /** True when the RTCP part at {@code at} is one of these APP packets. */
    static boolean is(byte[] b, int at, int plen) {
        return plen >= 12 && (b[at + 1] & 0xff) == APP && b[at + 8] == NAME[0] && b[at + 9] == NAME[1]
                && b[at + 10] == NAME[2] && b[at + 11] == NAME[3];
    }

    /** Reads one; null when it is malformed (dropped, changes nothing). */
    static SourceAnnouncement read(byte[] b, int at, int plen) {
        try {
            JsonNode o = JSON.readTree(new String(b, at + 12, plen - 12, StandardCharsets.UTF_8).trim());
            Map<Integer, RelayCodec> pts = codecs(o.get("pt"));
            Map<Integer, RelayCodec> rtx = codecs(o.get("rtx"));
            List<Long> ssrcs = new ArrayList<>();
            for (JsonNode n : o.get("s")) {
                ssrcs.add(n.asLong());
            }
            byte[] map = HexFormat.of().parseHex(o.get("x").asText());
            String kind = o.get("t").asText();
            if (ssrcs.isEmpty() || map.length != 16 || !("audio".equals(kind) || "video".equals(kind))) {
                return null;
            }
            return new SourceAnnouncement(o.get("p").asText(), o.get("m").asText(),
                    SourceKind.valueOf(o.get("k").asText()), kind, pts, rtx, ssrcs, map);
        } catch (IOException | RuntimeException e) {
            return null;
        }
    }

    private static Map<Integer, RelayCodec> codecs(JsonNode n) {
        Map<Integer, RelayCodec> out = new HashMap<>();
        n.fields().forEachRemaining(e -> out.put(Integer.parseInt(e.getKey()) & 0x7f, RelayCodec.valueOf(e.getValue().asText())));
        return out;
    }
}
