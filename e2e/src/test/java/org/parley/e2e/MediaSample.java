package org.parley.e2e;

import java.util.Map;

/** One getStats() reading of what a browser receives, from window.parleyApp.stats(). */
record MediaSample(long framesDecoded, long audioPacketsReceived, long videoPacketsReceived, String candidateType,
        String remoteCandidateType, String localAddress, String remoteAddress, long screenFramesDecoded) {

    static MediaSample of(Map<String, Object> m) {
        return new MediaSample(number(m.get("framesDecoded")), number(m.get("audioPacketsReceived")),
                number(m.get("videoPacketsReceived")), (String) m.get("candidateType"),
                (String) m.get("remoteCandidateType"), (String) m.get("localAddress"), (String) m.get("remoteAddress"),
                number(m.get("screenFramesDecoded")));
    }

    private static long number(Object o) {
        return o instanceof Number n ? n.longValue() : 0;
    }
}
