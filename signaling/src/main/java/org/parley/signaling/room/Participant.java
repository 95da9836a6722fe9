package org.parley.signaling.room;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.EnumSet;
import java.util.Locale;
import java.util.Set;
import org.parley.relay.control.SourceKind;
import org.parley.signaling.auth.Role;
import org.parley.signaling.e2ee.IdentityKey;
import org.parley.signaling.session.Session;
import org.parley.signaling.wire.Json;

/** One device in a room: its role, what it sends, and what moderators muted. Loop thread only. */
final class Participant {

    private final Session session;
    /** The device's identity key from its join, null when it joined without one. */
    private final IdentityKey identityKey;
    private Role role;
    private final Set<SourceKind> sending = EnumSet.noneOf(SourceKind.class);
    private final Set<SourceKind> mutedByModerator = EnumSet.noneOf(SourceKind.class);

    Participant(Session session, Role role, IdentityKey identityKey) {
        this.session = session;
        this.role = role;
        this.identityKey = identityKey;
    }

    /** The participant id: the device's session id, which survives resume. */
    String id() {
        return session.id();
    }

    Session session() {
        return session;
    }

    /** Null when the device joined without an identity key (it cannot take part in key exchange). */
    IdentityKey identityKey() {
        return identityKey;
    }

    Role role() {
        return role;
    }

    void role(Role role) {
        this.role = role;
    }

    void sending(SourceKind kind, boolean on) {
        if (on) {
            sending.add(kind);
            mutedByModerator.remove(kind);
        } else {
            sending.remove(kind);
        }
    }

    void mutedByModerator(SourceKind kind) {
        mutedByModerator.add(kind);
        sending.remove(kind);
    }

    /** What it sends. */
    Set<SourceKind> sending() {
        return EnumSet.copyOf(sending.isEmpty() ? EnumSet.noneOf(SourceKind.class) : sending);
    }

    /** What moderators muted and it has not turned on again. */
    Set<SourceKind> mutedByModerator() {
        return mutedByModerator.isEmpty() ? EnumSet.noneOf(SourceKind.class) : EnumSet.copyOf(mutedByModerator);
    }

    boolean isMutedByModerator(SourceKind kind) {
        return mutedByModerator.contains(kind);
    }

    /** True when this role is at least {@code other} (owner > moderator > participant > listener). */
    boolean atLeast(Role other) {
        return role.ordinal() <= other.ordinal();
    }

    ObjectNode toJson() {
        ObjectNode p = Json.object();
        p.put("participantId", id());
        p.put("user", session.user());
        p.put("name", session.displayName());
        p.put("device", session.device());
        p.put("role", role.wireName());
        for (SourceKind k : SourceKind.values()) {
            String name = k.name().toLowerCase(Locale.ROOT);
            p.put(name, sending.contains(k));
            p.put(name + "Muted", mutedByModerator.contains(k));
        }
        if (identityKey != null) {
            p.put("identityKey", identityKey.wire());
        }
        return p;
    }
}
