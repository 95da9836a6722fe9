package org.parley.relay.sdp;

import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * What a client's answer on its subscriber connection tells the relay: its ICE credentials and
 * DTLS fingerprint, and which of the relay's payload types it accepted (a receiver that cannot
 * decode a codec leaves it out, RFC 3264 section 6.1).
 *
 * @param acceptedPayloadTypes relay payload types present in at least one accepted section
 */
public record SubscriberAnswer(String iceUfrag, String icePassword, String fingerprint, List<String> candidates,
        Set<Integer> acceptedPayloadTypes) {

    public static SubscriberAnswer parse(String sdp) {
        SessionDescription d = SessionDescription.parse(sdp);
        String ufrag = null;
        String pwd = null;
        String fp = null;
        List<String> candidates = new java.util.ArrayList<>();
        Set<Integer> pts = new HashSet<>();
        for (MediaSection m : d.media()) {
            if (m.port() == 0) {
                continue;
            }
            if (ufrag == null) {
                ufrag = d.attribute(m, "ice-ufrag");
                pwd = d.attribute(m, "ice-pwd");
                String f = d.attribute(m, "fingerprint");
                fp = f == null ? null : SdpAnswerer.parseFingerprint(f);
                String setup = d.attribute(m, "setup");
                if (setup != null && !"active".equals(setup)) {
                    // The relay offered actpass and is always the DTLS server (RFC 5763 section 5).
                    throw SessionDescription.bad("subscriber answer must use a=setup:active");
                }
            }
            for (String c : m.attributes("candidate")) {
                candidates.add("candidate:" + c);
            }
            for (String f : m.formats()) {
                try {
                    pts.add(Integer.parseInt(f));
                } catch (NumberFormatException e) {
                    throw SessionDescription.bad("bad payload type " + f);
                }
            }
        }
        if (ufrag == null || pwd == null || fp == null) {
            throw SessionDescription.bad("answer lacks ice-ufrag, ice-pwd or fingerprint");
        }
        return new SubscriberAnswer(ufrag, pwd, fp, candidates, pts);
    }
}
