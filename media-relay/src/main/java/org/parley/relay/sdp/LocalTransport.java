package org.parley.relay.sdp;

import java.util.List;

/** The relay side of one connection as SDP shows it: ICE credentials, candidates, DTLS fingerprint. */
public record LocalTransport(String iceUfrag, String icePassword, String fingerprint, List<String> candidates) {
}
