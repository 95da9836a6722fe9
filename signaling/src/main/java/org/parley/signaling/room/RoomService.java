package org.parley.signaling.room;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.node.TextNode;
import java.time.Clock;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.function.BiConsumer;
import java.util.function.BooleanSupplier;
import java.util.regex.Pattern;
import org.parley.relay.control.SourceKind;
import org.parley.signaling.DeferredHandler;
import org.parley.signaling.RequestHandler;
import org.parley.signaling.Scheduler;
import org.parley.signaling.SignalingConfig;
import org.parley.signaling.SignalingMetrics;
import org.parley.signaling.auth.Role;
import org.parley.signaling.call.CallTeardown;
import org.parley.signaling.call.Calls;
import org.parley.signaling.e2ee.IdentityKey;
import org.parley.signaling.e2ee.KeyMessages;
import org.parley.signaling.media.EndpointHooks;
import org.parley.signaling.media.RelayEndpoint;
import org.parley.signaling.media.RelayLink;
import org.parley.signaling.session.Session;
import org.parley.signaling.session.SessionObserver;
import org.parley.signaling.session.Sessions;
import org.parley.signaling.wire.ErrorCode;
import org.parley.signaling.wire.Json;
import org.parley.signaling.wire.ProtocolException;
import org.parley.signaling.wire.Request;

/**
 * Conferences (docs/protocol.md §6): create, join (token grant, membership, invite link), leave,
 * own media state, subscriptions, and relay events. Moderator actions live in {@link Moderation},
 * the 1:1 upgrade in {@link CallUpgrade}.
 */
public final class RoomService implements SessionObserver {

    static final Pattern ROOM_ID = Pattern.compile("[A-Za-z0-9._-]{1,64}");
    static final String ROOM_ID_RULE = "1-64 characters of [A-Za-z0-9._-]";
    /** A region tag as relays register it ({@code parley.relay.region}). */
    static final Pattern REGION = Pattern.compile("[A-Za-z0-9._-]{1,64}");

    private final SignalingConfig.Rooms config;
    private final SignalingConfig.E2ee e2ee;
    private final Rooms rooms;
    private final RelayLink relay;
    private final Admission admission;
    private final BooleanSupplier draining;
    private final Moderation moderation;
    private final CallUpgrade upgrade;
    private final EndpointHooks hooks;

    public RoomService(SignalingConfig.Rooms config, SignalingConfig.E2ee e2ee, byte[] secret, Sessions sessions,
            Calls calls, CallTeardown teardown, RelayLink relay, Scheduler scheduler, Clock clock,
            SignalingMetrics metrics, BooleanSupplier draining) {
        this.config = config;
        this.e2ee = e2ee;
        this.rooms = new Rooms(relay, scheduler, config.emptyTimeout());
        this.relay = relay;
        InviteLinks invites = new InviteLinks(secret, clock);
        this.admission = new Admission(invites);
        this.draining = draining;
        this.moderation = new Moderation(config, rooms, relay, invites, clock);
        this.upgrade = new CallUpgrade(config, e2ee, rooms, calls, sessions, teardown, relay, draining);
        this.hooks = new EndpointHooks() {
            @Override
            public void activeSpeaker(RelayEndpoint endpoint, Session session, String speaker) {
                Room room = rooms.get(endpoint.contextId());
                if (room != null && room.participant(speaker) != null) {
                    ObjectNode e = Json.event("room.active_speaker");
                    e.put("roomId", room.id());
                    e.put("participantId", speaker);
                    session.emit(e);
                }
            }
        };
        metrics.gauge("parley.signaling.rooms", "Rooms that exist", rooms::size);
        metrics.gauge("parley.signaling.participants", "Devices joined to rooms", rooms::participants);
    }

    /** Adds the room request handlers; {@code deferred} takes those that wait for the relay. */
    public void register(BiConsumer<String, RequestHandler> register, BiConsumer<String, DeferredHandler> deferred) {
        register.accept("room.create", this::create);
        deferred.accept("room.join", this::join);
        register.accept("room.leave", this::leave);
        register.accept("room.media", this::media);
        register.accept("room.subscribe", this::subscribe);
        register.accept("room.invite_link", moderation::inviteLink);
        register.accept("room.mute", moderation::mute);
        register.accept("room.remove", moderation::remove);
        register.accept("room.allow", moderation::allow);
        register.accept("room.list_removed", moderation::listRemoved);
        register.accept("room.revoke_invite", moderation::revokeInvite);
        register.accept("room.lock", moderation::lock);
        register.accept("room.set_role", moderation::setRole);
        register.accept("call.add", upgrade::add);
    }

    /**
     * {@code e2ee.key} in a room: to the participant {@code to}, when both it and the sender gave
     * identity keys when joining (§12); nobody else hears of it.
     */
    public void deliverKey(Session s, Request r, String payload) {
        String to = r.text("to");
        Participant p = rooms.joined(s, r);
        Room room = rooms.roomOf(p, r);
        Participant target = room.participant(to);
        if (target == p) {
            throw ProtocolException.invalid("to", "must be another participant");
        }
        if (target == null) {
            throw new ProtocolException(ErrorCode.UNKNOWN_PARTICIPANT, "no participant " + to + " in room " + room.id());
        }
        if (p.identityKey() == null) {
            throw ProtocolException.wrongState("this device joined room " + room.id() + " without an identity key");
        }
        if (target.identityKey() == null) {
            throw ProtocolException.wrongState("participant " + to + " joined without an identity key");
        }
        target.session().emit(KeyMessages.event("roomId", room.id(), TextNode.valueOf(p.id()), payload));
    }

    /** True when {@code id} is a well-formed room id. */
    public static boolean isRoomId(String id) {
        return ROOM_ID.matcher(id).matches();
    }

    /** In a cluster: which rooms this node runs goes to {@code store} (docs/cluster.md "Rooms across nodes"). */
    public void storeIn(RoomStore store, java.util.function.Function<Session, org.parley.signaling.cluster.RemoteDevice> where) {
        rooms.storeIn(store, where);
    }

    /**
     * Runs a room this node claimed from a dead owner, from its record: the same options, members,
     * removals, invites and participants (their sessions from {@code sessionFor}, visitors for
     * devices at other nodes). The relay conference and endpoints are named after the room and its
     * participants, so the media goes on untouched. False when this node already has that room.
     */
    public boolean adopt(StoredRoom sr, java.util.function.Function<org.parley.signaling.cluster.RemoteDevice, Session> sessionFor) {
        if (rooms.get(sr.id()) != null) {
            return false;
        }
        Room room = RoomRecords.rebuilt(sr, config.maxLiveInvites(), sessionFor);
        rooms.add(room);
        // the relay's events for the participants' endpoints (offers when someone publishes) come here now
        room.participants().forEach(p -> relay.attach(endpoint(room, p), p.session(), hooks));
        return true;
    }

    /** True when room {@code roomId} runs on this node. */
    public boolean runs(String roomId) {
        return rooms.get(roomId) != null;
    }

    /** Rooms with participants. */
    public int liveRooms() {
        return rooms.live();
    }

    /** The relay endpoint of {@code s} in room {@code roomId}, or null when it has not joined. */
    public RelayEndpoint relayEndpoint(Session s, String roomId) {
        Room room = rooms.get(roomId);
        Participant p = room == null ? null : room.participant(s.id());
        return p == null ? null : endpoint(room, p);
    }

    /** The participant ids of room {@code roomId} when {@code s} is in it, else none. */
    public Set<String> participantIds(Session s, String roomId) {
        Room room = rooms.get(roomId);
        if (room == null || room.participant(s.id()) == null) {
            return Set.of();
        }
        Set<String> ids = new HashSet<>();
        room.participants().forEach(p -> ids.add(p.id()));
        return ids;
    }

    private static RelayEndpoint endpoint(Room room, Participant p) {
        return new RelayEndpoint(room.conferenceId(), p.id(), "roomId", room.id(), room.mayPublish(p));
    }

    /**
     * {@code room.create}: the creator becomes the owner (but has not joined). Ids are in the user
     * namespace ({@link RoomIds}): chosen by the server unless the request names one.
     */
    ObjectNode create(Session s, Request r) {
        Optional<String> wanted = r.optText("roomId", ROOM_ID, ROOM_ID_RULE);
        int max = r.optLong("maxParticipants", 2, config.maxParticipants()).orElse((long) config.maxParticipants()).intValue();
        boolean locked = r.optBool("locked").orElse(false);
        boolean requireE2ee = r.optBool("e2ee").orElse(false) || e2ee.requireForRooms();
        Room.Publish publish = switch (r.optText("publish").orElse("everyone")) {
            case "everyone" -> Room.Publish.EVERYONE;
            case "moderators" -> Room.Publish.MODERATORS;
            default -> throw ProtocolException.invalid("publish", "must be \"everyone\" or \"moderators\"");
        };
        Optional<String> region = r.optText("region", REGION, ROOM_ID_RULE);
        if (draining.getAsBoolean()) {
            throw new ProtocolException(ErrorCode.DRAINING, "this server takes no new calls");
        }
        wanted.ifPresent(id -> RoomIds.requireCreatable(s, id));
        relay.require();
        String id = wanted.orElseGet(RoomIds::newCreatedId);
        if (rooms.get(id) != null) {
            throw new ProtocolException(ErrorCode.ROOM_EXISTS, "room " + id + " exists");
        }
        Room room = new Room(id, max, locked, publish, config.maxLiveInvites(), requireE2ee);
        room.members().put(s.user(), Role.OWNER);
        rooms.add(room);
        region.ifPresent(tag -> relay.askRegion(room.conferenceId(), tag));
        ObjectNode out = Json.object();
        out.put("roomId", id);
        return out;
    }

    /**
     * {@code room.join}: a removal, then grant, membership or invite decides the role (§6.3). The
     * device is in the room once the relay has allocated its endpoint.
     */
    CompletionStage<ObjectNode> join(Session s, Request r) {
        String roomId = r.text("roomId", ROOM_ID, ROOM_ID_RULE);
        Optional<String> invite = r.optText("invite");
        IdentityKey key = IdentityKey.from(r).orElse(null);
        Room room = rooms.get(roomId);
        Admission.Decision admitted = admission.decide(s, roomId, invite, room);
        Role role = admitted.role();
        boolean create = admitted.createsRoom();
        if (create && draining.getAsBoolean()) {
            throw new ProtocolException(ErrorCode.DRAINING, "this server takes no new calls");
        }
        if (room == null) {
            room = new Room(roomId, config.maxParticipants(), false, Room.Publish.EVERYONE, config.maxLiveInvites(),
                    e2ee.requireForRooms());
        }
        if (room.e2ee() && key == null) {
            throw IdentityKey.required("room " + roomId + " is end-to-end encrypted: room.join needs e2ee.identityKey");
        }
        if (room.participant(s.id()) != null) {
            throw ProtocolException.wrongState("this device is already in room " + roomId);
        }
        Participant p = new Participant(s, role, key);
        if (room.locked() && !p.atLeast(Role.MODERATOR)) {
            throw new ProtocolException(ErrorCode.ROOM_LOCKED, "room " + roomId + " is locked");
        }
        if (room.size() + room.joining() >= room.maxParticipants()) {
            throw new ProtocolException(ErrorCode.ROOM_FULL, "room " + roomId + " is full");
        }
        CompletableFuture<Void> allocated = relay.allocate(endpoint(room, p), s, hooks);
        // Registered now, so that a second join while the relay answers finds this room.
        if (create) {
            rooms.add(room);
        }
        Room joining = room;
        joining.joining(1);
        return allocated.handle((v, error) -> {
            joining.joining(-1);
            if (error == null && rooms.get(roomId) == joining && s.isLive()) {
                return joined(joining, p, s);
            }
            // Refused by the relay, or the room or device went away meanwhile: nothing changes.
            if (error == null) {
                relay.release(joining.conferenceId(), p.id());
            }
            if (create || joining.everJoined()) {
                rooms.endIfEmpty(joining);
            }
            if (error != null) {
                throw RelayLink.failure(error);
            }
            throw new ProtocolException(ErrorCode.UNKNOWN_ROOM, "room " + roomId + " ended while joining");
        });
    }

    private ObjectNode joined(Room room, Participant p, Session s) {
        String roomId = room.id();
        Role role = p.role();
        ArrayNode others = Json.MAPPER.createArrayNode();
        room.participants().forEach(o -> others.add(o.toJson()));
        room.add(p);
        s.rooms().add(roomId);
        rooms.changed(room);
        ObjectNode joined = Json.event("room.participant_joined");
        joined.put("roomId", roomId);
        joined.set("participant", p.toJson());
        rooms.broadcast(room, joined, p);
        ObjectNode out = room.optionsJson();
        out.put("participantId", p.id());
        out.put("role", role.wireName());
        out.set("participants", others);
        return out;
    }

    /** {@code room.leave}. */
    ObjectNode leave(Session s, Request r) {
        Participant p = rooms.joined(s, r);
        rooms.leave(rooms.roomOf(p, r), p, "left");
        return null;
    }

    /** {@code room.media}: own microphone, camera, screen share. Unmuting undoes a moderator's mute. */
    ObjectNode media(Session s, Request r) {
        Optional<Boolean> audio = r.optBool("audio");
        Optional<Boolean> video = r.optBool("video");
        Optional<Boolean> screen = r.optBool("screen");
        Participant p = rooms.joined(s, r);
        Room room = rooms.roomOf(p, r);
        boolean turnsOn = audio.orElse(false) || video.orElse(false) || screen.orElse(false);
        if (turnsOn && !room.mayPublish(p)) {
            throw new ProtocolException(ErrorCode.FORBIDDEN, "your role may not publish in this room");
        }
        apply(room, p, SourceKind.AUDIO, audio);
        apply(room, p, SourceKind.VIDEO, video);
        apply(room, p, SourceKind.SCREEN, screen);
        rooms.updated(room, p);
        return null;
    }

    private void apply(Room room, Participant p, SourceKind kind, Optional<Boolean> on) {
        if (on.isEmpty()) {
            return;
        }
        if (on.get() && p.isMutedByModerator(kind)) {
            relay.mute(room.conferenceId(), p.id(), kind, false);
        }
        p.sending(kind, on.get());
    }

    /** {@code room.subscribe}: which participants this device receives ({@code null}: everyone). */
    ObjectNode subscribe(Session s, Request r) {
        JsonNode ids = r.node("participantIds");
        if (ids == null) {
            throw Request.missing("participantIds");
        }
        Set<String> wanted = null;
        if (!ids.isNull()) {
            if (!ids.isArray()) {
                throw ProtocolException.invalid("participantIds", "must be an array of strings or null");
            }
            wanted = new HashSet<>();
            for (JsonNode id : ids) {
                if (!id.isTextual()) {
                    throw ProtocolException.invalid("participantIds", "must be an array of strings or null");
                }
                wanted.add(id.textValue());
            }
        }
        Participant p = rooms.joined(s, r);
        Room room = rooms.roomOf(p, r);
        if (wanted != null) {
            for (String id : wanted) {
                if (room.participant(id) == null) {
                    throw new ProtocolException(ErrorCode.UNKNOWN_PARTICIPANT, "no participant " + id);
                }
            }
        }
        relay.subscribe(room.conferenceId(), p.id(), wanted);
        return null;
    }

    /**
     * The relay lost every conference (it restarted). Each room's conference and every
     * participant's endpoint are made again, moderators' mutes re-applied, and each participant is
     * told to set up its media afresh ({@code relay.reset}). A participant the relay refuses now
     * leaves the room with reason {@code relay_lost}, and is told so too, so that it can join again.
     */
    public void relayRestarted() {
        remakeEndpoints((conference, endpoint) -> true, RelayLink.ResetReason.RELAY_RESTARTED);
    }

    /** As {@link #relayRestarted}, for the rooms whose conference a relay pool moved to another relay. */
    public void relayMoved(java.util.Set<String> conferences) {
        remakeEndpoints((conference, endpoint) -> conferences.contains(conference), RelayLink.ResetReason.RELAY_MOVED);
    }

    /** As {@link #relayMoved}, for only the endpoints (by conference) moved off a linked relay that was left. */
    public void relayEndpointsMoved(java.util.Map<String, java.util.Set<String>> endpoints) {
        remakeEndpoints((conference, endpoint) -> RelayLink.among(endpoints, conference, endpoint),
                RelayLink.ResetReason.RELAY_MOVED);
    }

    private void remakeEndpoints(java.util.function.BiPredicate<String, String> endpoints,
            RelayLink.ResetReason reason) {
        for (Room room : rooms.all()) {
            for (Participant p : room.participants()) {
                RelayEndpoint e = endpoint(room, p);
                if (!endpoints.test(e.conferenceId(), e.endpointId())) {
                    continue;
                }
                relay.tryAllocate(e, p.session(), hooks).whenComplete((v, error) -> {
                    if (rooms.get(room.id()) != room || room.participant(p.id()) != p) {
                        return; // left meanwhile; its leave released the endpoint after this allocation
                    }
                    if (error != null) {
                        ObjectNode lost = Json.event("room.participant_left");
                        lost.put("roomId", room.id());
                        lost.put("participantId", p.id());
                        lost.put("reason", "relay_lost");
                        p.session().emit(lost);
                        rooms.leave(room, p, "relay_lost");
                        return;
                    }
                    for (SourceKind k : SourceKind.values()) {
                        if (p.isMutedByModerator(k) || !room.mayPublish(p)) {
                            relay.mute(room.conferenceId(), p.id(), k, true);
                        }
                    }
                    p.session().emit(RelayLink.resetEvent(e, reason));
                });
            }
        }
    }

    /** A device is gone for good: it leaves its rooms. */
    @Override
    public void sessionEnded(Session s, String reason) {
        for (String roomId : List.copyOf(s.rooms())) {
            Room room = rooms.get(roomId);
            Participant p = room == null ? null : room.participant(s.id());
            if (p != null) {
                rooms.leave(room, p, "hangup".equals(reason) ? "left" : reason);
            }
        }
    }
}
