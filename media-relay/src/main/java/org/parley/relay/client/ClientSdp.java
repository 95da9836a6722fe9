package org.parley.relay.client;

import java.util.ArrayList;
import java.util.List;
import org.parley.relay.sdp.HeaderExtension;
import org.parley.relay.sdp.LocalTransport;
import org.parley.relay.sdp.MediaSection;
import org.parley.relay.sdp.SessionDescription;

/** The SDP a test client writes: a publisher offer and subscriber answers, as a browser would. */
final class ClientSdp {

    static final int OPUS_PT = 111;
    static final int VP8_PT = 96;
    static final int VP8_RTX_PT = 97;
    static final int AUDIO_LEVEL_ID = 1;
    static final int TWCC_ID = 3;
    static final int MID_ID = 9;
    static final int RID_ID = 10;
    static final int REPAIRED_RID_ID = 11;

    private ClientSdp() {
    }

    static String publisherOffer(String name, LocalTransport local, long audioSsrc, long videoSsrc, long rtxSsrc) {
        StringBuilder sdp = new StringBuilder();
        sdp.append("v=0\r\no=- 1 1 IN IP4 127.0.0.1\r\ns=-\r\nt=0 0\r\na=group:BUNDLE 0 1\r\n");
        sdp.append("m=audio 9 UDP/TLS/RTP/SAVPF ").append(OPUS_PT).append("\r\n");
        common(sdp, local, "0");
        ext(sdp, AUDIO_LEVEL_ID, HeaderExtension.AUDIO_LEVEL);
        ext(sdp, TWCC_ID, HeaderExtension.TRANSPORT_CC);
        ext(sdp, MID_ID, HeaderExtension.MID);
        sdp.append("a=sendonly\r\na=msid:").append(name).append(' ').append(name).append("-a\r\n");
        sdp.append("a=rtcp-mux\r\na=rtcp-rsize\r\n");
        sdp.append("a=rtpmap:111 opus/48000/2\r\na=rtcp-fb:111 transport-cc\r\na=fmtp:111 minptime=10;useinbandfec=1\r\n");
        sdp.append("a=ssrc:").append(audioSsrc).append(" cname:").append(name).append("\r\n");
        candidates(sdp, local);
        cameraSection(sdp, local, name, false);
        sdp.append("a=ssrc-group:FID ").append(videoSsrc).append(' ').append(rtxSsrc).append("\r\n");
        sdp.append("a=ssrc:").append(videoSsrc).append(" cname:").append(name).append("\r\n");
        sdp.append("a=ssrc:").append(rtxSsrc).append(" cname:").append(name).append("\r\n");
        candidates(sdp, local);
        return sdp.toString();
    }

    /**
     * A publisher offer whose camera section sends three simulcast layers: with rids (RFC 8853
     * a=simulcast, the a=rid lines deliberately not lowest first, a=simulcast is) as Chromium
     * writes it, or SSRC-signalled with a=ssrc-group:SIM and one FID group per layer.
     */
    static String simulcastOffer(String name, LocalTransport local, long audioSsrc, SimulcastCamera camera) {
        String plain = publisherOffer(name, local, audioSsrc, 1, 2);
        StringBuilder sdp = new StringBuilder(plain.substring(0, plain.indexOf("m=video")));
        cameraSection(sdp, local, name, true);
        String[] rids = SimulcastCamera.RIDS;
        if (camera.ridSignalled()) {
            for (int i = rids.length - 1; i >= 0; i--) {
                sdp.append("a=rid:").append(rids[i]).append(" send\r\n");
            }
            sdp.append("a=simulcast:send ").append(String.join(";", rids)).append("\r\n");
        } else {
            sdp.append("a=ssrc-group:SIM");
            for (int i = 0; i < rids.length; i++) {
                sdp.append(' ').append(camera.ssrc(i));
            }
            sdp.append("\r\n");
            for (int i = 0; i < rids.length; i++) {
                sdp.append("a=ssrc-group:FID ").append(camera.ssrc(i)).append(' ').append(camera.rtxSsrc(i))
                        .append("\r\n");
            }
            // a=ssrc lines highest layer first: the SIM group, not these, gives the order
            for (int i = rids.length - 1; i >= 0; i--) {
                sdp.append("a=ssrc:").append(camera.ssrc(i)).append(" cname:").append(name).append("\r\n");
                sdp.append("a=ssrc:").append(camera.rtxSsrc(i)).append(" cname:").append(name).append("\r\n");
            }
        }
        candidates(sdp, local);
        return sdp.toString();
    }

    /** The camera section (mid 1) up to its SSRC or simulcast lines: VP8 with RTX, sendonly. */
    private static void cameraSection(StringBuilder sdp, LocalTransport local, String name, boolean ridExtensions) {
        sdp.append("m=video 9 UDP/TLS/RTP/SAVPF ").append(VP8_PT).append(' ').append(VP8_RTX_PT).append("\r\n");
        common(sdp, local, "1");
        ext(sdp, TWCC_ID, HeaderExtension.TRANSPORT_CC);
        ext(sdp, MID_ID, HeaderExtension.MID);
        if (ridExtensions) {
            ext(sdp, RID_ID, HeaderExtension.RID);
            ext(sdp, REPAIRED_RID_ID, HeaderExtension.REPAIRED_RID);
        }
        sdp.append("a=sendonly\r\na=msid:").append(name).append(' ').append(name).append("-v\r\n");
        sdp.append("a=rtcp-mux\r\na=rtcp-rsize\r\n");
        sdp.append("a=rtpmap:96 VP8/90000\r\n");
        for (String fb : new String[] {"goog-remb", "transport-cc", "ccm fir", "nack", "nack pli"}) {
            sdp.append("a=rtcp-fb:96 ").append(fb).append("\r\n");
        }
        sdp.append("a=rtpmap:97 rtx/90000\r\na=fmtp:97 apt=96\r\n");
    }

    /** Adds a VP8 screen-share section (mid 2, a=content:slides per RFC 4796) to a publisher offer. */
    static String withScreenShare(String offer, String name, LocalTransport local, long screenSsrc) {
        StringBuilder sdp = new StringBuilder(offer.replace("a=group:BUNDLE 0 1\r\n", "a=group:BUNDLE 0 1 2\r\n"));
        sdp.append("m=video 9 UDP/TLS/RTP/SAVPF ").append(VP8_PT).append("\r\n");
        common(sdp, local, "2");
        sdp.append("a=content:slides\r\na=sendonly\r\na=rtcp-mux\r\na=rtcp-rsize\r\na=rtpmap:96 VP8/90000\r\n");
        sdp.append("a=msid:").append(name).append(' ').append(name).append("-s\r\n");
        ext(sdp, TWCC_ID, HeaderExtension.TRANSPORT_CC);
        ext(sdp, MID_ID, HeaderExtension.MID);
        sdp.append("a=rtcp-fb:96 nack\r\na=rtcp-fb:96 nack pli\r\na=rtcp-fb:96 ccm fir\r\n");
        sdp.append("a=ssrc:").append(screenSsrc).append(" cname:").append(name).append("\r\n");
        candidates(sdp, local);
        return sdp.toString();
    }

    /** Accepts every section of the relay's offer receive-only with every offered codec. */
    static String subscriberAnswer(SessionDescription offer, LocalTransport local) {
        StringBuilder sdp = new StringBuilder();
        List<String> mids = new ArrayList<>();
        offer.media().forEach(m -> mids.add(m.mid()));
        sdp.append("v=0\r\no=- 2 1 IN IP4 127.0.0.1\r\ns=-\r\nt=0 0\r\na=group:BUNDLE ")
                .append(String.join(" ", mids)).append("\r\n");
        for (MediaSection m : offer.media()) {
            sdp.append("m=").append(m.kind()).append(" 9 ").append(m.protocol()).append(' ')
                    .append(String.join(" ", m.formats())).append("\r\n");
            sdp.append("c=IN IP4 0.0.0.0\r\n");
            sdp.append("a=ice-ufrag:").append(local.iceUfrag()).append("\r\n");
            sdp.append("a=ice-pwd:").append(local.icePassword()).append("\r\n");
            sdp.append("a=fingerprint:sha-256 ").append(local.fingerprint()).append("\r\n");
            sdp.append("a=setup:active\r\n");
            sdp.append("a=mid:").append(m.mid()).append("\r\n");
            for (String e : m.attributes("extmap")) {
                sdp.append("a=extmap:").append(e).append("\r\n");
            }
            sdp.append("sendonly".equals(m.direction()) ? "a=recvonly\r\n" : "a=inactive\r\n");
            sdp.append("a=rtcp-mux\r\na=rtcp-rsize\r\n");
            for (String r : m.attributes("rtpmap")) {
                sdp.append("a=rtpmap:").append(r).append("\r\n");
            }
            for (String f : m.attributes("fmtp")) {
                sdp.append("a=fmtp:").append(f).append("\r\n");
            }
            candidates(sdp, local);
        }
        return sdp.toString();
    }

    private static void common(StringBuilder sdp, LocalTransport local, String mid) {
        sdp.append("c=IN IP4 0.0.0.0\r\n");
        sdp.append("a=ice-ufrag:").append(local.iceUfrag()).append("\r\n");
        sdp.append("a=ice-pwd:").append(local.icePassword()).append("\r\n");
        sdp.append("a=fingerprint:sha-256 ").append(local.fingerprint()).append("\r\n");
        sdp.append("a=setup:actpass\r\n");
        sdp.append("a=mid:").append(mid).append("\r\n");
    }

    private static void ext(StringBuilder sdp, int id, HeaderExtension e) {
        sdp.append("a=extmap:").append(id).append(' ').append(e.uri()).append("\r\n");
    }

    private static void candidates(StringBuilder sdp, LocalTransport local) {
        for (String c : local.candidates()) {
            sdp.append("a=").append(c).append("\r\n");
        }
    }
}
