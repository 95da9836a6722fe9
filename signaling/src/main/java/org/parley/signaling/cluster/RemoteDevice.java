package org.parley.signaling.cluster;

import java.time.Instant;
import java.util.Optional;
import org.parley.signaling.auth.Identity;
import org.parley.signaling.auth.Role;
import org.parley.signaling.session.Session;

/**
 * A signed-in device as other nodes see it: where it is connected and who it is.
 *
 * @param node the node its WebSocket is connected to
 * @param sessionId its session there
 * @param expiresAtMillis when its token expires (epoch milliseconds)
 * @param grantRoom the one room its token grants, null for none (a visitor joins with it at a room's owner)
 * @param grantRole the role its token grants there, null for none
 * @param identityKey the end-to-end encryption identity key its {@code hello} gave (docs/protocol.md
 *     §12, wire form), null for none: a call pushed or pulled to it as a visitor needs it
 */
public record RemoteDevice(String node, String sessionId, String user, String device, String displayName,
        long expiresAtMillis, String grantRoom, String grantRole, String identityKey) {

    /** A device that gave no identity key in its {@code hello}. */
    public RemoteDevice(String node, String sessionId, String user, String device, String displayName,
            long expiresAtMillis, String grantRoom, String grantRole) {
        this(node, sessionId, user, device, displayName, expiresAtMillis, grantRoom, grantRole, null);
    }

    /** A device whose token grants no room. */
    public RemoteDevice(String node, String sessionId, String user, String device, String displayName,
            long expiresAtMillis) {
        this(node, sessionId, user, device, displayName, expiresAtMillis, null, null);
    }

    /** A session of this node, as it is announced to the others. */
    public static RemoteDevice of(Session s, String node) {
        Identity id = s.identity();
        return new RemoteDevice(node, s.id(), s.user(), s.device(), s.displayName(),
                id.expiresAt().toEpochMilli(), id.room().orElse(null), id.role().map(Role::wireName).orElse(null),
                s.identityKey() == null ? null : s.identityKey().wire());
    }

    /** The identity a visitor of this device carries on the node that owns its call or room. */
    public Identity identity() {
        return new Identity(user, displayName, Optional.ofNullable(grantRoom),
                Optional.ofNullable(grantRole).map(Role::fromWire), Instant.ofEpochMilli(expiresAtMillis));
    }
}
