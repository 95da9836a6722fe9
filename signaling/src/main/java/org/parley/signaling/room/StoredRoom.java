package org.parley.signaling.room;

import java.util.List;
import java.util.Map;
import org.parley.signaling.cluster.RemoteDevice;

/**
 * A room as its owner writes it for the other nodes (docs/cluster.md "Rooms across nodes"):
 * enough for a node to take the room over when its owner dies. The relay conference is named after
 * the room ({@code room-<id>}) and each endpoint after its participant, so the new owner finds
 * them where they are.
 *
 * @param publish {@code everyone} or {@code moderators}
 * @param members user -> role (wire name) granted without a token
 */
public record StoredRoom(String id, int maxParticipants, boolean locked, String publish, boolean e2ee,
        Map<String, String> members, List<Removal> removed, List<Invite> invites, List<Member> participants) {

    /** A user kept out until {@code room.allow}. */
    public record Removal(String user, String name, String by, long at) {
    }

    /** An invite id the room issued, live or revoked. */
    public record Invite(String id, long expiresAt, boolean revoked) {
    }

    /**
     * A participant: its device and the node its WebSocket is connected to, role, what it sends
     * and what moderators muted (source kinds' wire names), its identity key (null for none).
     */
    public record Member(RemoteDevice device, String role, List<String> sending, List<String> muted,
            String identityKey) {
    }
}
