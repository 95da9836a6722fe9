package org.parley.signaling.call;

import java.time.Clock;
import java.time.Instant;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.parley.signaling.SignalingConfig.CallMedia;
import org.parley.signaling.cluster.RemoteDevice;
import org.parley.signaling.e2ee.IdentityKey;
import org.parley.signaling.session.Session;
import org.parley.signaling.session.SessionStore;
import org.parley.signaling.session.Sessions;
import org.parley.signaling.session.Visitors;

/**
 * The answered calls this node owns, written to the cluster's {@link CallStore} as they change, and
 * the calls this node takes over when their owner dies (docs/cluster.md "Calls in Redis"): the
 * rules then run here as if the call had been placed here, its devices at other nodes as visitors.
 * Loop thread only.
 */
public final class CallRecords implements Calls.Journal {

    private final Calls calls;
    private final Sessions sessions;
    private final Visitors visitors;
    private final String self;
    private final CallStore store;
    private final Clock clock;
    /** Calls whose record is in the store: their end deletes it. */
    private final Set<String> written = new HashSet<>();
    private java.util.function.Consumer<Call> adopted = c -> { };
    private SessionStore sessionStore;
    /** "call session" pairs whose stored session names this node as the call's: written once each. */
    private final Set<String> named = new HashSet<>();

    public CallRecords(Calls calls, Sessions sessions, Visitors visitors, String self, CallStore store, Clock clock) {
        this.calls = calls;
        this.sessions = sessions;
        this.visitors = visitors;
        this.self = self;
        this.store = store;
        this.clock = clock;
        calls.journal(this);
    }

    /** What else a call taken over needs (its relay endpoints' events): run after it is rebuilt. */
    public void onAdopt(java.util.function.Consumer<Call> then) {
        this.adopted = then;
    }

    /**
     * Where this node's devices' sessions are stored: each names the calls this node runs for it,
     * so that if this node dies with both devices of a call, the node where one resumes knows the
     * call to claim (docs/cluster.md "A call's owner dies").
     */
    public void sessionsIn(SessionStore sessionStore) {
        this.sessionStore = sessionStore;
    }

    @Override
    public void changed(Call c) {
        if (c.state().established()) {
            written.add(c.id());
            store.saved(stored(c));
            for (Session s : java.util.Arrays.asList(c.callerDevice(), c.calleeDevice())) {
                if (sessionStore != null && s != null && !s.isVisitor() && named.add(c.id() + " " + s.id())) {
                    sessionStore.callOwner(s, c.id(), self);
                }
            }
        }
    }

    @Override
    public void removed(Call c) {
        if (written.remove(c.id())) {
            store.ended(c.id());
        }
        // a call that ends ringing has no callee device yet
        for (Session s : java.util.Arrays.asList(c.callerDevice(), c.calleeDevice())) {
            if (s != null && named.remove(c.id() + " " + s.id()) && s.isLive()) {
                sessionStore.callOwner(s, c.id(), null);
            }
        }
        named.removeIf(k -> k.startsWith(c.id() + " "));
    }

    /** The call as the store keeps it, owned by this node. */
    private StoredCall stored(Call c) {
        return new StoredCall(c.id(), self, c.callerUser(), c.calleeUser(), c.media(), c.transport().wireName(),
                c.state().wireName(), where(c.callerDevice()), where(c.calleeDevice()),
                c.callerMedia.audio, c.callerMedia.video, c.callerMedia.screen,
                c.calleeMedia.audio, c.calleeMedia.video, c.calleeMedia.screen,
                wire(c.identityKeyOf(c.callerDevice())), wire(c.identityKeyOf(c.calleeDevice())));
    }

    private static String wire(IdentityKey key) {
        return key == null ? null : key.wire();
    }

    /** A stored identity key (its owner checked it when the device gave it), or null. */
    private static IdentityKey key(String wire) {
        return wire == null ? null : new IdentityKey(wire);
    }

    /** A device as the other nodes find it: this node, or the node its visitor's events go to. */
    private RemoteDevice where(Session s) {
        return RemoteDevice.of(s, s.isVisitor() ? visitors.nodeOf(s.id()) : self);
    }

    /**
     * Rebuilds a call this node claimed from {@code deadNode}, which owned it: the same id, parties,
     * state and media flags; this node's device as itself, the others as visitors (the dead node's
     * are orphaned by the caller, so their events wait in the store for their resume). The relay
     * conference and its endpoints are named after the call and its parties, so the media goes on
     * untouched. False when this node's device is gone meanwhile (the call then stays unowned and
     * its record expires).
     */
    public boolean adopt(StoredCall sc, String deadNode) {
        if (calls.get(sc.id()) != null) {
            return false;
        }
        Session caller = device(sc.callerDevice());
        Session callee = device(sc.calleeDevice());
        if (caller == null || callee == null) {
            return false;
        }
        Instant now = clock.instant();
        CallMedia transport = "relay".equals(sc.transport()) ? CallMedia.RELAY : CallMedia.P2P;
        // with the parties' identity keys an end-to-end encrypted call stays one (docs/protocol.md §12)
        Call c = new Call(sc.id(), caller, sc.calleeUser(), sc.media(), transport, false, now, key(sc.callerKey()));
        caller.calls().add(c.id());
        c.accept(callee, now, key(sc.calleeKey()));
        if (CallState.ACTIVE.wireName().equals(sc.state())) {
            c.connected();
        }
        set(c.callerMedia, sc.callerAudio(), sc.callerVideo(), sc.callerScreen());
        set(c.calleeMedia, sc.calleeAudio(), sc.calleeVideo(), sc.calleeScreen());
        calls.add(c);
        changed(c);
        adopted.accept(c);
        for (RemoteDevice d : List.of(sc.callerDevice(), sc.calleeDevice())) {
            if (d.node().equals(deadNode)) {
                store.sessionInCall(d.sessionId(), c.id(), self);
            }
        }
        return true;
    }

    /**
     * A device of a claimed call: this node's session (also one that resumed here from the dead
     * node), else a visitor of the node the record names.
     */
    private Session device(RemoteDevice d) {
        Session s = sessions.byId(d.sessionId());
        if (s != null && !s.isVisitor()) {
            return s.isLive() ? s : null;
        }
        return d.node().equals(self) ? null : visitors.of(d);
    }

    private static void set(MediaState m, boolean audio, boolean video, boolean screen) {
        m.audio = audio;
        m.video = video;
        m.screen = screen;
    }
}
