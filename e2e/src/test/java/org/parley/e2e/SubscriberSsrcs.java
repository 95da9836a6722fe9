package org.parley.e2e;

import java.util.HashMap;
import java.util.Map;

/**
 * Who sends what on a relay's subscriber offer: per m-section the publisher (the msid stream id,
 * RFC 8830, which the relay sets to the publisher's participant id) and the section's primary
 * SSRC (the first of an a=ssrc-group:FID, RFC 5576 section 4.1, else its only SSRC), so RTX and
 * padding probes on the repair SSRC are not counted as media.
 */
final class SubscriberSsrcs {

    private SubscriberSsrcs() {
    }

    /** Primary SSRC -> "participantId kind" of every active section. */
    static Map<Long, String> owners(String sdp) {
        Map<Long, String> out = new HashMap<>();
        for (String section : ("\r\n" + sdp).split("\r\nm=")) {
            if (!section.startsWith("audio") && !section.startsWith("video")) {
                continue;
            }
            String kind = section.substring(0, 5);
            String stream = null;
            Long primary = null;
            for (String line : section.split("\r\n")) {
                if (line.startsWith("a=msid:")) {
                    stream = line.substring(7).split(" ")[0];
                } else if (line.startsWith("a=ssrc-group:FID ")) {
                    primary = Long.parseLong(line.split(" ")[1]);
                } else if (line.startsWith("a=ssrc:") && primary == null) {
                    primary = Long.parseLong(line.substring(7, line.indexOf(' ')));
                }
            }
            if (stream != null && primary != null) {
                out.put(primary, stream + " " + kind);
            }
        }
        return out;
    }
}
