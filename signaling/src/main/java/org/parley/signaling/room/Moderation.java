package org.parley.signaling.room;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.parley.relay.control.SourceKind;
import org.parley.signaling.SignalingConfig;
import org.parley.signaling.auth.Role;
import org.parley.signaling.media.RelayLink;
import org.parley.signaling.session.Session;
import org.parley.signaling.wire.ErrorCode;
import org.parley.signaling.wire.Json;
import org.parley.signaling.wire.ProtocolException;
import org.parley.signaling.wire.Request;

/**
 * Moderator actions (docs/protocol.md §6.1-6.3): mute one or all, remove and let back in, lock,
 * change role, issue and revoke invite links. The actor needs {@code moderator} or {@code owner}
 * and may only act on participants whose role is not above its own.
 */
final class Moderation {

    private final SignalingConfig.Rooms config;
    private final Rooms rooms;
    private final RelayLink relay;
    private final InviteLinks invites;
    private final Clock clock;

    Moderation(SignalingConfig.Rooms config, Rooms rooms, RelayLink relay, InviteLinks invites, Clock clock) {
        this.config = config;
        this.rooms = rooms;
        this.relay = relay;
        this.invites = invites;
        this.clock = clock;
    }

    private Participant moderator(Session s, Request r) {
        Participant actor = rooms.joined(s, r);
        if (!actor.atLeast(Role.MODERATOR)) {
            throw new ProtocolException(ErrorCode.FORBIDDEN, "only moderators and owners may do this");
        }
        return actor;
    }

    private static Participant target(Room room, Participant actor, String participantId) {
        Participant t = room.participant(participantId);
        if (t == null) {
            throw new ProtocolException(ErrorCode.UNKNOWN_PARTICIPANT, "no participant " + participantId);
        }
        if (!actor.atLeast(t.role())) {
            throw new ProtocolException(ErrorCode.FORBIDDEN, "cannot act on a participant with a higher role");
        }
        return t;
    }

    private static Role role(Request r, String field, Role fallback) {
        String name = r.optText(field).orElse(null);
        if (name == null) {
            return fallback;
        }
        try {
            return Role.fromWire(name);
        } catch (IllegalArgumentException e) {
            throw ProtocolException.invalid(field, "must be owner, moderator, participant or listener");
        }
    }

    /** {@code room.mute}: one participant, or everyone the actor outranks or equals (but itself). */
    ObjectNode mute(Session s, Request r) {
        SourceKind kind = switch (r.text("kind")) {
            case "audio" -> SourceKind.AUDIO;
            case "video" -> SourceKind.VIDEO;
            case "screen" -> SourceKind.SCREEN;
            default -> throw ProtocolException.invalid("kind", "must be audio, video or screen");
        };
        boolean all = r.optBool("all").orElse(false);
        String one = r.optText("participantId").orElse(null);
        if (all == (one != null)) {
            throw one == null ? Request.missing("participantId' or 'all")
                    : ProtocolException.invalid("all", "and 'participantId' exclude each other");
        }
        Participant actor = moderator(s, r);
        Room room = rooms.roomOf(actor, r);
        List<Participant> targets = new ArrayList<>();
        if (all) {
            for (Participant p : room.participants()) {
                if (p != actor && actor.atLeast(p.role())) {
                    targets.add(p);
                }
            }
        } else {
            targets.add(target(room, actor, one));
        }
        for (Participant t : targets) {
            relay.mute(room.conferenceId(), t.id(), kind, true);
            t.mutedByModerator(kind);
            ObjectNode muted = Json.event("room.muted");
            muted.put("roomId", room.id());
            muted.put("kind", kind.name().toLowerCase(Locale.ROOT));
            muted.put("by", actor.id());
            t.session().emit(muted);
            rooms.updated(room, t);
        }
        return null;
    }

    /**
     * {@code room.remove}: the user, not just this device, is out. Every device of the user leaves
     * the room, its membership is dropped (a removed moderator must not come back as one) and it
     * is refused with {@code removed} until {@code room.allow}.
     */
    ObjectNode remove(Session s, Request r) {
        String id = r.text("participantId");
        Participant actor = moderator(s, r);
        Room room = rooms.roomOf(actor, r);
        Participant t = target(room, actor, id);
        String user = t.session().user();
        if (user.equals(actor.session().user())) {
            throw ProtocolException.wrongState("cannot remove your own user; use room.leave to leave");
        }
        List<Participant> devices = new ArrayList<>();
        for (Participant p : room.participants()) {
            if (p.session().user().equals(user)) {
                devices.add(target(room, actor, p.id()));
            }
        }
        room.members().remove(user);
        room.removed().add(user, t.session().displayName(), actor.id(), clock.instant());
        // every device hears it first, before the others' participant_left reach it
        for (Participant d : devices) {
            ObjectNode removed = Json.event("room.removed");
            removed.put("roomId", room.id());
            removed.put("by", actor.id());
            d.session().emit(removed);
        }
        for (Participant d : devices) {
            rooms.leave(room, d, "removed");
        }
        return null;
    }

    /** {@code room.allow}: lets a removed user back in; it still needs a grant, membership or invite. */
    ObjectNode allow(Session s, Request r) {
        String user = r.text("user");
        Participant actor = moderator(s, r);
        Room room = rooms.roomOf(actor, r);
        if (!room.removed().allow(user)) {
            throw ProtocolException.wrongState("user " + user + " is not removed from room " + room.id());
        }
        rooms.changed(room);
        return null;
    }

    /** {@code room.list_removed}: the users kept out, for moderators to let back in. */
    ObjectNode listRemoved(Session s, Request r) {
        Participant actor = moderator(s, r);
        Room room = rooms.roomOf(actor, r);
        ObjectNode out = Json.object();
        out.put("roomId", room.id());
        out.set("removed", room.removed().toJson());
        return out;
    }

    /** {@code room.lock}. */
    ObjectNode lock(Session s, Request r) {
        boolean locked = r.bool("locked");
        Participant actor = moderator(s, r);
        Room room = rooms.roomOf(actor, r);
        room.locked(locked);
        rooms.changed(room);
        ObjectNode e = room.optionsJson();
        e.put("type", "room.updated");
        rooms.broadcast(room, e, null);
        return null;
    }

    /** {@code room.set_role}: only an owner makes owners; nobody grants above their own role. */
    ObjectNode setRole(Session s, Request r) {
        String id = r.text("participantId");
        if (r.optText("role").isEmpty()) {
            throw Request.missing("role");
        }
        Role role = role(r, "role", null);
        Participant actor = moderator(s, r);
        Room room = rooms.roomOf(actor, r);
        Participant t = target(room, actor, id);
        if (!actor.atLeast(role)) {
            throw new ProtocolException(ErrorCode.FORBIDDEN, "cannot grant a role above your own");
        }
        t.role(role);
        room.members().put(t.session().user(), role);
        if (!room.mayPublish(t)) {
            for (SourceKind k : SourceKind.values()) {
                relay.mute(room.conferenceId(), t.id(), k, true);
                t.sending(k, false);
            }
        }
        rooms.updated(room, t);
        return null;
    }

    /** {@code room.invite_link}: a signed, expiring invitation with a role no higher than the actor's. */
    ObjectNode inviteLink(Session s, Request r) {
        Role role = role(r, "role", Role.PARTICIPANT);
        long maxSeconds = Duration.ofDays(30).toSeconds();
        Duration ttl = r.optLong("ttlSeconds", 60, maxSeconds).map(Duration::ofSeconds).orElse(config.inviteTtl());
        Participant actor = moderator(s, r);
        Room room = rooms.roomOf(actor, r);
        if (!actor.atLeast(role)) {
            throw new ProtocolException(ErrorCode.FORBIDDEN, "cannot invite with a role above your own");
        }
        InviteLinks.Issued invite = invites.issue(room.id(), role, ttl);
        room.invites().add(invite.inviteId(), invite.expiresAt(), clock.instant());
        rooms.changed(room);
        ObjectNode out = Json.object();
        out.put("roomId", room.id());
        out.put("invite", invite.token());
        out.put("inviteId", invite.inviteId());
        out.put("expiresAt", invite.expiresAt().toEpochMilli());
        return out;
    }

    /** {@code room.revoke_invite}: that link is refused from now on ({@code invite_revoked}). */
    ObjectNode revokeInvite(Session s, Request r) {
        String inviteId = r.text("inviteId");
        Participant actor = moderator(s, r);
        Room room = rooms.roomOf(actor, r);
        if (!room.invites().revoke(inviteId, clock.instant())) {
            throw ProtocolException.invalid("inviteId", "names no unexpired invite of room " + room.id());
        }
        rooms.changed(room);
        return null;
    }
}
