package org.parley.signaling.room;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import org.parley.relay.control.SourceKind;
import org.parley.signaling.auth.Role;
import org.parley.signaling.cluster.RemoteDevice;
import org.parley.signaling.e2ee.IdentityKey;
import org.parley.signaling.session.Session;

/** A room to and from its stored record (docs/cluster.md "Rooms across nodes"). Loop thread only. */
final class RoomRecords {

    private RoomRecords() {
    }

    /** The room as the store keeps it; {@code where} gives each participant's device and node. */
    static StoredRoom stored(Room room, Function<Session, RemoteDevice> where) {
        Map<String, String> members = new HashMap<>();
        room.members().forEach((user, role) -> members.put(user, role.wireName()));
        List<StoredRoom.Member> participants = new ArrayList<>();
        for (Participant p : room.participants()) {
            participants.add(new StoredRoom.Member(where.apply(p.session()), p.role().wireName(), names(p.sending()),
                    names(p.mutedByModerator()), p.identityKey() == null ? null : p.identityKey().wire()));
        }
        return new StoredRoom(room.id(), room.maxParticipants(), room.locked(), room.publish().wireName(), room.e2ee(),
                members, room.removed().stored(), room.invites().stored(), participants);
    }

    /**
     * The room of a record, with its participants' sessions from {@code sessionFor} (null for a
     * device that is gone: it is left out).
     */
    static Room rebuilt(StoredRoom sr, int maxLiveInvites, Function<RemoteDevice, Session> sessionFor) {
        Room.Publish publish = "moderators".equals(sr.publish()) ? Room.Publish.MODERATORS : Room.Publish.EVERYONE;
        Room room = new Room(sr.id(), sr.maxParticipants(), sr.locked(), publish, maxLiveInvites, sr.e2ee());
        sr.members().forEach((user, role) -> room.members().put(user, Role.fromWire(role)));
        for (StoredRoom.Removal r : sr.removed()) {
            room.removed().add(r.user(), r.name(), r.by(), java.time.Instant.ofEpochMilli(r.at()));
        }
        sr.invites().forEach(room.invites()::restore);
        for (StoredRoom.Member m : sr.participants()) {
            Session s = sessionFor.apply(m.device());
            if (s == null) {
                continue;
            }
            Participant p = new Participant(s, Role.fromWire(m.role()),
                    m.identityKey() == null ? null : new IdentityKey(m.identityKey()));
            m.sending().forEach(k -> p.sending(SourceKind.valueOf(k), true));
            m.muted().forEach(k -> p.mutedByModerator(SourceKind.valueOf(k)));
            room.add(p);
            s.rooms().add(room.id());
        }
        return room;
    }

    private static List<String> names(java.util.Set<SourceKind> kinds) {
        List<String> out = new ArrayList<>();
        kinds.forEach(k -> out.add(k.name()));
        return out;
    }
}
