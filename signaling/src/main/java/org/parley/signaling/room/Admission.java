package org.parley.signaling.room;

import java.util.Optional;
import org.parley.signaling.auth.Role;
import org.parley.signaling.session.Session;
import org.parley.signaling.wire.ErrorCode;
import org.parley.signaling.wire.ProtocolException;

/**
 * Who may join a room, and with which role (docs/protocol.md §6.3): a removed user never; then the
 * token's grant (operator namespace only, see {@link RoomIds}), the room's membership, or a live
 * invite link, in that order. Loop thread only.
 */
final class Admission {

    /** The role a join gets, and whether the join starts the room (a token grant for a room not there yet). */
    record Decision(Role role, boolean createsRoom) {
    }

    private final InviteLinks invites;

    Admission(InviteLinks invites) {
        this.invites = invites;
    }

    /** Decides a join of {@code s} to {@code roomId}; {@code room} is null when no such room exists. */
    Decision decide(Session s, String roomId, Optional<String> invite, Room room) {
        if (room != null && room.removed().contains(s.user())) {
            throw new ProtocolException(ErrorCode.REMOVED, "you were removed from room " + roomId
                    + "; a moderator must let you back in");
        }
        if (RoomIds.grantedByToken(s, roomId)) {
            return new Decision(s.identity().role().orElse(Role.PARTICIPANT), room == null);
        }
        if (room != null && room.members().containsKey(s.user())) {
            return new Decision(room.members().get(s.user()), false);
        }
        Optional<InviteLinks.Grant> granted = invite.flatMap(i -> invites.verify(i, roomId));
        if (room == null) {
            throw new ProtocolException(ErrorCode.UNKNOWN_ROOM,
                    granted.isPresent() ? "room " + roomId + " has ended" : "no room " + roomId);
        }
        if (granted.isEmpty()) {
            throw new ProtocolException(ErrorCode.FORBIDDEN, "no grant, membership or valid invite for " + roomId);
        }
        return switch (room.invites().status(granted.get().inviteId(), invites.now())) {
            case LIVE -> new Decision(granted.get().role(), false);
            case REVOKED -> throw new ProtocolException(ErrorCode.INVITE_REVOKED, "a moderator revoked this invite");
            case UNKNOWN -> throw new ProtocolException(ErrorCode.FORBIDDEN,
                    "this invite was not issued by the room that now has id " + roomId);
        };
    }
}
