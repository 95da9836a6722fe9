package org.parley.relay.sdp;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.parley.relay.control.RelayException;
import org.parley.relay.control.SourceKind;

/** The relay's answer to a real Chromium 156 publisher offer (captured by ChromiumBandwidthTest). */
class SdpAnswererTest {

    private static final LocalTransport LOCAL = new LocalTransport("relayufrag", "relaypasswordrelaypassword", "AA:BB",
            List.of("candidate:1 1 udp 2130706431 127.0.0.1 10000 typ host generation 0"));

    private static String chromeOffer() throws Exception {
        try (InputStream in = SdpAnswererTest.class.getResourceAsStream("/sdp/chrome-publisher-offer.sdp")) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
    }

    @Test
    void answersChromiumOfferBundledReceiveOnlyWithForwardableCodecs() throws Exception {
        SdpAnswerer.Result r = SdpAnswerer.answer(chromeOffer(), LOCAL, mid -> null, 1);
        SessionDescription answer = SessionDescription.parse(r.answer());
        assertEquals("BUNDLE 0 1", answer.sessionAttribute("group"));
        MediaSection audio = answer.media().get(0);
        MediaSection video = answer.media().get(1);
        for (MediaSection m : answer.media()) {
            assertEquals("recvonly", m.direction());
            assertEquals("passive", m.attribute("setup"), "the relay is the DTLS server (RFC 5763)");
            assertTrue(m.hasFlag("rtcp-mux"));
            assertEquals("relayufrag", m.attribute("ice-ufrag"));
            assertEquals("sha-256 AA:BB", m.attribute("fingerprint"));
            assertFalse(m.attributes("candidate").isEmpty());
        }
        assertEquals(List.of("111"), audio.formats(), "Opus only: no G722, PCMU, RED, DTMF");
        assertEquals("VP8/90000", video.rtpmap("96"));
        assertTrue(video.formats().contains("97"), "VP8's RTX kept");
        assertTrue(video.formats().contains("45"), "AV1 kept");
        assertFalse(video.formats().contains("118"), "RED for video is not forwarded");
        for (String pt : video.formats()) {
            String map = video.rtpmap(pt);
            if (map.startsWith("H264")) {
                assertTrue(video.fmtp(pt).contains("profile-level-id=42e01f"), "constrained baseline only");
                assertTrue(video.fmtp(pt).contains("packetization-mode=1"));
            }
        }
        // RFC 8285: each id stands for one URI across the bundle, and only known extensions remain.
        Map<String, String> idToUri = new HashMap<>();
        for (MediaSection m : answer.media()) {
            for (String ext : m.attributes("extmap")) {
                String[] f = ext.split(" ");
                String prior = idToUri.putIfAbsent(f[0], f[1]);
                assertTrue(prior == null || prior.equals(f[1]), "id " + f[0] + " reused");
                assertNotNull(HeaderExtension.byUri(f[1]), "unknown extension answered: " + f[1]);
            }
        }
        assertFalse(r.answer().contains("extmap-allow-mixed"), "one-byte extensions only");

        PublisherOffer info = r.offer();
        assertEquals(2, info.tracks().size());
        assertEquals(SourceKind.AUDIO, info.tracks().get(0).sourceKind());
        assertEquals(SourceKind.VIDEO, info.tracks().get(1).sourceKind());
        assertEquals(List.of(2054528748L), info.tracks().get(0).ssrcs());
        assertEquals(1, info.tracks().get(1).ssrcs().size(), "one primary video SSRC");
        assertEquals(1, info.tracks().get(1).rtxSsrcs().size(), "its RTX SSRC from ssrc-group FID");
        assertTrue(info.extensionId(HeaderExtension.TRANSPORT_CC) > 0);
        assertNotNull(info.fingerprint());
    }

    @Test
    void aSecondVideoIsTheScreenShareAndKeepsItsKindOnRenegotiation() throws Exception {
        String offer = chromeOffer();
        int video = offer.indexOf("m=video");
        String screen = offer.substring(video).replace("a=mid:1", "a=mid:2");
        String twoVideos = offer.replace("a=group:BUNDLE 0 1", "a=group:BUNDLE 0 1 2") + screen;
        SdpAnswerer.Result r = SdpAnswerer.answer(twoVideos, LOCAL, mid -> null, 1);
        assertEquals(SourceKind.SCREEN, r.offer().tracks().get(2).sourceKind());
        SdpAnswerer.Result again = SdpAnswerer.answer(twoVideos, LOCAL,
                mid -> "2".equals(mid) ? SourceKind.SCREEN : "1".equals(mid) ? SourceKind.VIDEO : SourceKind.AUDIO, 2);
        assertEquals(SourceKind.SCREEN, again.offer().tracks().get(2).sourceKind());
    }

    @Test
    void refusesOffersItCannotUse() {
        assertEquals(RelayException.Reason.BAD_SDP, assertThrows(RelayException.class,
                () -> SdpAnswerer.answer("hello", LOCAL, mid -> null, 1)).reason());
        String noFingerprint = "v=0\r\no=- 1 1 IN IP4 0.0.0.0\r\ns=-\r\nt=0 0\r\n"
                + "m=audio 9 UDP/TLS/RTP/SAVPF 111\r\na=mid:0\r\na=ice-ufrag:x\r\na=ice-pwd:y\r\n"
                + "a=rtpmap:111 opus/48000/2\r\na=sendonly\r\n";
        assertEquals(RelayException.Reason.BAD_SDP, assertThrows(RelayException.class,
                () -> SdpAnswerer.answer(noFingerprint, LOCAL, mid -> null, 1)).reason());
    }

    @Test
    void subscriberOfferUsesOneIdPerUriAndStableSections() {
        List<SubscriberSlot> slots = List.of(new SubscriberSlot("0", "audio", "alice", "alice-audio", 11, 0),
                new SubscriberSlot("1", "video", "alice", "alice-video", 22, 23),
                new SubscriberSlot("2", "video", null, null, 0, 0));
        SessionDescription offer = SessionDescription.parse(SubscriberOffer.build(LOCAL, slots, 5, 2));
        assertEquals("BUNDLE 0 1 2", offer.sessionAttribute("group"));
        assertEquals("sendonly", offer.media().get(1).direction());
        assertEquals("inactive", offer.media().get(2).direction(), "a freed slot stays, inactive");
        assertEquals("FID 22 23", offer.media().get(1).attribute("ssrc-group"));
        assertEquals("actpass", offer.media().get(0).attribute("setup"));
        assertEquals("alice alice-video", offer.media().get(1).attribute("msid"));
    }

    /** The captured offer's camera turned into Chromium's rid simulcast (sendEncodings q, h, f). */
    private static String ridSimulcastOffer() throws Exception {
        StringBuilder out = new StringBuilder();
        boolean video = false;
        for (String line : chromeOffer().split("\r?\n")) {
            video |= line.startsWith("m=video");
            if (video && line.startsWith("a=ssrc")) {
                continue; // Chromium announces no SSRCs with rid simulcast
            }
            out.append(line).append("\r\n");
        }
        return out.append("a=rid:f send\r\na=rid:h send\r\na=rid:q send\r\na=simulcast:send q;h;~f\r\n").toString();
    }

    @Test
    void ridSimulcastIsAcceptedWithLayersInSimulcastOrder() throws Exception {
        SdpAnswerer.Result r = SdpAnswerer.answer(ridSimulcastOffer(), LOCAL, mid -> null, 1);
        MediaSection video = SessionDescription.parse(r.answer()).media().get(1);
        assertEquals("recv q;h;~f", video.attribute("simulcast"), "RFC 8853 section 5.3: the layers accepted");
        assertEquals(List.of("f recv", "h recv", "q recv"), video.attributes("rid"));
        assertTrue(video.attributes("extmap").contains("10 urn:ietf:params:rtp-hdrext:sdes:rtp-stream-id"));
        assertTrue(video.attributes("extmap").contains("11 urn:ietf:params:rtp-hdrext:sdes:repaired-rtp-stream-id"));
        PublishedTrack camera = r.offer().tracks().get(1);
        assertEquals(List.of("q", "h", "f"), camera.rids(), "layer order is a=simulcast's, lowest first");
        assertTrue(camera.ssrcs().isEmpty());
        assertEquals(10, r.offer().extensionId(HeaderExtension.RID));
        assertEquals(11, r.offer().extensionId(HeaderExtension.REPAIRED_RID));
    }

    @Test
    void ssrcGroupSimOrdersTheLayers() throws Exception {
        String offer = chromeOffer().replace("\r\n", "\n").replace("\n", "\r\n").replace(
                "a=ssrc-group:FID 3859564825 4148194413\r\n",
                "a=ssrc-group:SIM 11 22 3859564825\r\na=ssrc-group:FID 3859564825 4148194413\r\n"
                        + "a=ssrc-group:FID 11 111\r\na=ssrc-group:FID 22 222\r\n"
                        + "a=ssrc:22 cname:x\r\na=ssrc:222 cname:x\r\na=ssrc:11 cname:x\r\na=ssrc:111 cname:x\r\n");
        PublishedTrack camera = SdpAnswerer.answer(offer, LOCAL, mid -> null, 1).offer().tracks().get(1);
        assertEquals(List.of(11L, 22L, 3859564825L), camera.ssrcs(), "SIM group order, RTX SSRCs apart");
        assertEquals(Map.of(4148194413L, 3859564825L, 111L, 11L, 222L, 22L), camera.rtxSsrcs());
    }
}
