package org.parley.signaling.room;

import java.time.Instant;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;
import org.parley.signaling.wire.ProtocolException;

/**
 * The invite links one room has issued, by invite id (docs/protocol.md §6.3). A signed invite is
 * honoured only while its id is live here: a moderator can revoke it, and when the room ends its
 * invites end with it, so a link never opens a later room that happens to get the same id.
 * Expired entries are dropped as new invites come; live ones are capped per room so that a
 * moderator cannot grow the server's memory without bound. Loop thread only.
 */
final class RoomInvites {

    /** What a room knows of an invite id. */
    enum Status {
        LIVE, REVOKED, UNKNOWN
    }

    private record Issued(Instant expiresAt, boolean revoked) {
    }

    private final Map<String, Issued> byId = new LinkedHashMap<>();
    private final int maxLive;

    RoomInvites(int maxLive) {
        this.maxLive = maxLive;
    }

    /** Records a new invite; {@code wrong_state} when the room already has its cap of live invites. */
    void add(String inviteId, Instant expiresAt, Instant now) {
        forgetExpired(now);
        long live = byId.values().stream().filter(i -> !i.revoked()).count();
        if (live >= maxLive) {
            throw ProtocolException.wrongState("this room has " + live
                    + " live invite links (rooms.max-live-invites); revoke one or wait for one to expire");
        }
        byId.put(inviteId, new Issued(expiresAt, false));
    }

    /**
     * Revokes a live invite. Revoked ids are remembered until they expire, so a revoked link is
     * refused as such; beyond the cap the oldest are forgotten, and a forgotten id is still refused
     * (it is no longer live). Returns false when the room has no such invite.
     */
    boolean revoke(String inviteId, Instant now) {
        forgetExpired(now);
        Issued i = byId.get(inviteId);
        if (i == null) {
            return false;
        }
        byId.put(inviteId, new Issued(i.expiresAt(), true));
        long revoked = byId.values().stream().filter(Issued::revoked).count();
        for (Iterator<Issued> it = byId.values().iterator(); revoked > maxLive && it.hasNext();) {
            if (it.next().revoked()) {
                it.remove();
                revoked--;
            }
        }
        return true;
    }

    /** Every invite id remembered, oldest first, as a room's stored record keeps it. */
    java.util.List<StoredRoom.Invite> stored() {
        java.util.List<StoredRoom.Invite> out = new java.util.ArrayList<>();
        byId.forEach((id, i) -> out.add(new StoredRoom.Invite(id, i.expiresAt().toEpochMilli(), i.revoked())));
        return out;
    }

    /** An invite from a stored record, as it was (taking over a room whose owner died). */
    void restore(StoredRoom.Invite i) {
        byId.put(i.id(), new Issued(Instant.ofEpochMilli(i.expiresAt()), i.revoked()));
    }

    Status status(String inviteId, Instant now) {
        Issued i = byId.get(inviteId);
        if (i == null || !now.isBefore(i.expiresAt())) {
            return Status.UNKNOWN;
        }
        return i.revoked() ? Status.REVOKED : Status.LIVE;
    }

    private void forgetExpired(Instant now) {
        byId.values().removeIf(i -> !now.isBefore(i.expiresAt()));
    }
}
