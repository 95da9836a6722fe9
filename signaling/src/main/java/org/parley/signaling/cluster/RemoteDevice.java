package org.parley.signaling.cluster;

import java.time.Instant;
import java.util.Optional;
import org.parley.signaling.auth.Identity;
import org.parley.signaling.session.Session;

/**
 * A signed-in device as other nodes see it: where it is connected and who it is.
 *
 * @param node the node its WebSocket is connected to
 * @param sessionId its session there
 * @param expiresAtMillis when its token expires (epoch milliseconds)
 */
public record RemoteDevice(String node, String sessionId, String user, String device, String displayName,
        long expiresAtMillis) {

    /** A session of this node, as it is announced to the others. */
    public static RemoteDevice of(Session s, String node) {
        return new RemoteDevice(node, s.id(), s.user(), s.device(), s.displayName(),
                s.identity().expiresAt().toEpochMilli());
    }

    /** The identity a visitor of this device carries on the node that owns its call. */
    public Identity identity() {
        return new Identity(user, displayName, Optional.empty(), Optional.empty(),
                Instant.ofEpochMilli(expiresAtMillis));
    }
}
