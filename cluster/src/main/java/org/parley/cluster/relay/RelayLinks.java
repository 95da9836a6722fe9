package org.parley.cluster.relay;

import java.security.SecureRandom;
import java.util.function.Consumer;
import org.parley.relay.api.RemoteRelayControl;
import org.parley.relay.cascade.LinkSocket;
import org.parley.relay.control.LinkSpec;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Links one conference on two relays through their control APIs (docs/cluster.md "Cascading"):
 * the signaling node already holds an authenticated channel to both, so it hands both ends the
 * same link id and fresh SRTP keying material (RFC 3711 / RFC 7714) without a handshake per link.
 */
final class RelayLinks {

    private static final Logger LOG = LoggerFactory.getLogger(RelayLinks.class);

    private final SecureRandom random = new SecureRandom();

    /** Links the conference on relays {@code a} and {@code b}; {@code a} is the initiator. */
    void link(String conferenceId, String aId, RemoteRelayControl a, String bId, RemoteRelayControl b) {
        byte[] keys = new byte[LinkSocket.KEYING_MATERIAL_LENGTH];
        random.nextBytes(keys);
        int linkId = random.nextInt();
        a.linkConference(conferenceId, bId, new LinkSpec(linkId, b.linkAddress(), keys, true));
        b.linkConference(conferenceId, aId, new LinkSpec(linkId, a.linkAddress(), keys, false));
    }

    /** A relay call whose failure changes nothing (the relay may be gone, or null); logged only. */
    static void quietly(RemoteRelayControl c, Consumer<RemoteRelayControl> call) {
        if (c == null) {
            return;
        }
        try {
            call.accept(c);
        } catch (RuntimeException e) {
            LOG.debug("relay call failed: {}", e.toString());
        }
    }
}
