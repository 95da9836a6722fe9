package org.parley.signaling.call;

import java.time.Instant;
import java.util.LinkedHashSet;
import java.util.Set;
import org.parley.signaling.Scheduler.Timer;
import org.parley.signaling.SignalingConfig.CallMedia;
import org.parley.signaling.e2ee.IdentityKey;
import org.parley.signaling.session.Session;

/**
 * One one-to-one call: who called whom, which devices ring, which two devices carry it, and its
 * state. Transitions are made by the controllers, which check the state first; this class keeps
 * the facts consistent. Loop thread only.
 */
public final class Call {

    private final String id;
    private final String callerUser;
    private final String calleeUser;
    private final String media;
    private final CallMedia transport;
    private final boolean waiting;
    /** Invited with an identity key: both devices must encrypt end to end (docs/protocol.md §12). */
    private final boolean e2ee;
    /** Identity keys of the two active devices (null: that device gave none). */
    private IdentityKey callerKey;
    private IdentityKey calleeKey;
    private final Instant invitedAt;
    private CallState state = CallState.RINGING;
    private Session callerDevice;
    private Session calleeDevice;
    private final Set<Session> ringing = new LinkedHashSet<>();
    private boolean everRang;
    private Instant acceptedAt;
    Timer ringTimer;
    /**
     * True while the relay allocates endpoints for an answer or a hand-off of this call: a second
     * answer or hand-off meanwhile would race it for the same endpoints, so it is refused.
     */
    boolean relayBusy;
    final MediaState callerMedia;
    final MediaState calleeMedia;

    Call(String id, Session caller, String calleeUser, String media, CallMedia transport, boolean waiting,
            Instant invitedAt, IdentityKey callerKey) {
        this.id = id;
        this.callerKey = callerKey;
        this.e2ee = callerKey != null;
        this.callerDevice = caller;
        this.callerUser = caller.user();
        this.calleeUser = calleeUser;
        this.media = media;
        this.transport = transport;
        this.waiting = waiting;
        this.invitedAt = invitedAt;
        boolean video = "video".equals(media);
        this.callerMedia = new MediaState(video);
        this.calleeMedia = new MediaState(video);
    }

    public String id() {
        return id;
    }

    public CallState state() {
        return state;
    }

    public String callerUser() {
        return callerUser;
    }

    public String calleeUser() {
        return calleeUser;
    }

    public String media() {
        return media;
    }

    public CallMedia transport() {
        return transport;
    }

    /** True when the call is end-to-end encrypted: every device that carries it gave an identity key. */
    public boolean e2ee() {
        return e2ee;
    }

    /** The identity key of active device {@code s}, or null. */
    IdentityKey identityKeyOf(Session s) {
        return s == callerDevice ? callerKey : s == calleeDevice ? calleeKey : null;
    }

    boolean waiting() {
        return waiting;
    }

    Instant invitedAt() {
        return invitedAt;
    }

    Instant acceptedAt() {
        return acceptedAt;
    }

    public Session callerDevice() {
        return callerDevice;
    }

    /** The accepting device, or null while ringing. */
    public Session calleeDevice() {
        return calleeDevice;
    }

    Set<Session> ringing() {
        return ringing;
    }

    boolean everRang() {
        return everRang;
    }

    /** Starts ringing a device; true if it is the first device ever to ring. */
    boolean ring(Session device) {
        ringing.add(device);
        device.calls().add(id);
        boolean first = !everRang;
        everRang = true;
        return first;
    }

    /** Stops ringing a device (it no longer knows the call). */
    void stopRinging(Session device) {
        if (ringing.remove(device)) {
            device.calls().remove(id);
        }
    }

    void accept(Session device, Instant now, IdentityKey key) {
        ringing.remove(device);
        calleeDevice = device;
        calleeKey = key;
        device.calls().add(id);
        acceptedAt = now;
        state = CallState.CONNECTING;
    }

    void connected() {
        state = CallState.ACTIVE;
    }

    /** Marks the call ended and forgets it on every device; returns the devices that knew it. */
    Set<Session> end() {
        state = CallState.ENDED;
        if (ringTimer != null) {
            ringTimer.cancel();
        }
        Set<Session> knew = new LinkedHashSet<>(ringing);
        knew.add(callerDevice);
        if (calleeDevice != null) {
            knew.add(calleeDevice);
        }
        for (Session s : knew) {
            s.calls().remove(id);
        }
        ringing.clear();
        return knew;
    }

    /** True when {@code s} is one of the two devices carrying the call. */
    public boolean isActiveDevice(Session s) {
        return s == callerDevice || s == calleeDevice;
    }

    /** The other active device, or null. */
    Session otherActive(Session s) {
        return s == callerDevice ? calleeDevice : s == calleeDevice ? callerDevice : null;
    }

    /** True when {@code user} is the caller or the callee. */
    boolean isParty(String user) {
        return callerUser.equals(user) || calleeUser.equals(user);
    }

    /** The active device of {@code user}'s side. */
    Session activeDeviceOf(String user) {
        return callerUser.equals(user) ? callerDevice : calleeDevice;
    }

    MediaState mediaOf(String user) {
        return callerUser.equals(user) ? callerMedia : calleeMedia;
    }

    /** Moves {@code user}'s side of the call to another device (hand-off). */
    void moveTo(String user, Session device, IdentityKey key) {
        Session old = activeDeviceOf(user);
        old.calls().remove(id);
        if (callerUser.equals(user)) {
            callerDevice = device;
            callerKey = key;
        } else {
            calleeDevice = device;
            calleeKey = key;
        }
        device.calls().add(id);
    }

    /** The relay conference of a relay-mode call. */
    public String conferenceId() {
        return "call-" + id;
    }
}
