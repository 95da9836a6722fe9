package org.parley.signaling.room;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.function.BooleanSupplier;
import org.parley.signaling.SignalingConfig;
import org.parley.signaling.auth.Role;
import org.parley.signaling.call.Call;
import org.parley.signaling.call.CallTeardown;
import org.parley.signaling.call.Calls;
import org.parley.signaling.call.EndReason;
import org.parley.signaling.session.Session;
import org.parley.signaling.session.Sessions;
import org.parley.signaling.wire.ErrorCode;
import org.parley.signaling.wire.Json;
import org.parley.signaling.wire.ProtocolException;
import org.parley.signaling.wire.Request;

/**
 * {@code call.add} (docs/protocol.md §5.6): a one-to-one call becomes a conference when a party
 * invites a third user. The server makes a room the three may join, ends the call with
 * {@code upgraded} and the room id, and invites the third user's devices.
 */
final class CallUpgrade {

    private final SignalingConfig.Rooms config;
    private final SignalingConfig.E2ee e2ee;
    private final Rooms rooms;
    private final Calls calls;
    private final Sessions sessions;
    private final CallTeardown teardown;
    private final org.parley.signaling.media.RelayLink relay;
    private final BooleanSupplier draining;

    CallUpgrade(SignalingConfig.Rooms config, SignalingConfig.E2ee e2ee, Rooms rooms, Calls calls, Sessions sessions, CallTeardown teardown,
            org.parley.signaling.media.RelayLink relay, BooleanSupplier draining) {
        this.config = config;
        this.e2ee = e2ee;
        this.rooms = rooms;
        this.calls = calls;
        this.sessions = sessions;
        this.teardown = teardown;
        this.relay = relay;
        this.draining = draining;
    }

    ObjectNode add(Session s, Request r) {
        String callId = r.text("callId");
        String user = r.text("user");
        Call c = calls.get(callId);
        if (c == null || !s.calls().contains(callId)) {
            throw new ProtocolException(ErrorCode.UNKNOWN_CALL, "no call " + callId + " on this device");
        }
        if (!c.state().established() || !c.isActiveDevice(s)) {
            throw ProtocolException.wrongState("only a device carrying an accepted call can add someone");
        }
        if (user.equals(c.callerUser()) || user.equals(c.calleeUser())) {
            throw ProtocolException.invalid("user", "is already in the call");
        }
        if (draining.getAsBoolean()) {
            throw new ProtocolException(ErrorCode.DRAINING, "this server takes no new calls");
        }
        relay.require();
        // An end-to-end encrypted call stays so as a conference: nobody joins it in the clear.
        Room room = new Room(RoomIds.newCreatedId(), config.maxParticipants(), false, Room.Publish.EVERYONE,
                config.maxLiveInvites(), c.e2ee() || e2ee.requireForRooms());
        String other = s.user().equals(c.callerUser()) ? c.calleeUser() : c.callerUser();
        room.members().put(s.user(), Role.OWNER);
        room.members().put(other, Role.PARTICIPANT);
        room.members().put(user, Role.PARTICIPANT);
        rooms.add(room);
        ObjectNode extra = Json.object();
        extra.put("roomId", room.id());
        teardown.end(c, EndReason.UPGRADED, null, extra);
        for (Session d : sessions.devices(user)) {
            ObjectNode inv = Json.event("room.invitation");
            inv.put("roomId", room.id());
            ObjectNode from = inv.putObject("from");
            from.put("user", s.user());
            from.put("name", s.displayName());
            from.put("device", s.device());
            inv.put("media", c.media());
            inv.put("e2ee", room.e2ee());
            d.emit(inv);
        }
        ObjectNode out = Json.object();
        out.put("roomId", room.id());
        return out;
    }
}
