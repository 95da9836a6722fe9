package org.parley.signaling.room;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.parley.signaling.auth.Role;
import org.parley.signaling.wire.Json;

/**
 * A conference: its options, who may join with which role, and who is in it. Media always goes
 * through the relay conference {@link #conferenceId()}. Loop thread only.
 */
final class Room {

    /** Who may publish media. */
    enum Publish {
        EVERYONE, MODERATORS;

        String wireName() {
            return this == EVERYONE ? "everyone" : "moderators";
        }
    }

    private final String id;
    private final int maxParticipants;
    private final Publish publish;
    private boolean locked;
    /** Every participant must give an identity key (docs/protocol.md §12); fixed when the room is made. */
    private final boolean e2ee;
    /** Users granted a role here without a token grant: the creator, members added by call.add. */
    private final Map<String, Role> members = new HashMap<>();
    private final Map<String, Participant> participants = new LinkedHashMap<>();
    private final RemovedUsers removed = new RemovedUsers();
    private final RoomInvites invites;
    private boolean everJoined;
    /** Joins waiting for the relay to allocate their endpoints: they count against the size limit. */
    private int joining;

    Room(String id, int maxParticipants, boolean locked, Publish publish, int maxLiveInvites, boolean e2ee) {
        this.id = id;
        this.e2ee = e2ee;
        this.maxParticipants = maxParticipants;
        this.locked = locked;
        this.publish = publish;
        this.invites = new RoomInvites(maxLiveInvites);
    }

    String id() {
        return id;
    }

    String conferenceId() {
        return "room-" + id;
    }

    int maxParticipants() {
        return maxParticipants;
    }

    Publish publish() {
        return publish;
    }

    boolean locked() {
        return locked;
    }

    void locked(boolean locked) {
        this.locked = locked;
    }

    /** True when joining needs an identity key (end-to-end encrypted media). */
    boolean e2ee() {
        return e2ee;
    }

    Map<String, Role> members() {
        return members;
    }

    /** Users kept out until a moderator lets them back in. */
    RemovedUsers removed() {
        return removed;
    }

    /** The invite links issued for this room, live or revoked. */
    RoomInvites invites() {
        return invites;
    }

    Participant participant(String id) {
        return participants.get(id);
    }

    Collection<Participant> participants() {
        return List.copyOf(participants.values());
    }

    int size() {
        return participants.size();
    }

    boolean everJoined() {
        return everJoined;
    }

    void add(Participant p) {
        participants.put(p.id(), p);
        everJoined = true;
    }

    int joining() {
        return joining;
    }

    void joining(int delta) {
        joining += delta;
    }

    void remove(Participant p) {
        participants.remove(p.id());
    }

    /** May {@code p} send media, given its role and the room's publish option? */
    boolean mayPublish(Participant p) {
        if (p.role() == Role.LISTENER) {
            return false;
        }
        return publish == Publish.EVERYONE || p.atLeast(Role.MODERATOR);
    }

    ObjectNode optionsJson() {
        ObjectNode n = Json.object();
        n.put("roomId", id);
        n.put("locked", locked);
        n.put("maxParticipants", maxParticipants);
        n.put("publish", publish.wireName());
        n.put("e2ee", e2ee);
        return n;
    }
}
