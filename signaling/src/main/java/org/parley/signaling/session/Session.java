package org.parley.signaling.session;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import org.parley.signaling.Scheduler.Timer;
import org.parley.signaling.auth.Identity;
import org.parley.signaling.e2ee.IdentityKey;
import org.parley.signaling.transport.Connection;
import org.parley.signaling.wire.Json;

/**
 * One device of one user, signed in: outlives its WebSocket for the resume grace period. Every
 * event it is sent gets the next sequence number and is kept until acknowledged, whether or not a
 * connection is attached. Owned by the signaling loop.
 */
public final class Session {

    /** Where a session is in its life. */
    public enum State {
        /** A connection is attached. */
        ATTACHED,
        /** The connection dropped; waiting for a resume. */
        DETACHED,
        /** Over; never comes back. */
        ENDED
    }

    private final String id;
    private final String device;
    private final EventLog events;
    private Identity identity;
    /** The identity key announced in {@code hello}, for a call pushed to this device; null if none. */
    private IdentityKey identityKey;
    private Connection connection;
    private State state = State.ATTACHED;
    private String resumeToken;
    private final Set<String> calls = new LinkedHashSet<>();
    private final Set<String> rooms = new LinkedHashSet<>();
    final List<Timer> tokenTimers = new ArrayList<>(2);
    Timer graceTimer;
    /** While a request of this session is handled, its events wait so the reply goes first. */
    private List<String> held;
    /**
     * Where the events of a visitor (a device signed in at another node) go; null for a local
     * session. Set later only when a local session's client moved to another node ({@link #becomeVisitor}).
     */
    private Outlet outlet;
    /** Keeps a copy of a local session's events for other nodes (docs/cluster.md); alone, nothing. */
    private SessionStore store = SessionStore.MEMORY;

    /** Carries a visitor's events to the node its device is connected to (docs/cluster.md). */
    public interface Outlet {
        void write(String json);
    }

    Session(String id, Identity identity, String device, int maxUnackedEvents) {
        this(id, identity, device, maxUnackedEvents, null);
    }

    /**
     * A visitor: a device signed in at another node, as the node that owns one of its calls sees
     * it. Its events are numbered and logged by its own node, so it keeps none here.
     */
    Session(String id, Identity identity, String device, Outlet outlet) {
        this(id, identity, device, 0, outlet);
    }

    private Session(String id, Identity identity, String device, int maxUnackedEvents, Outlet outlet) {
        this(id, identity, device, outlet == null ? new EventLog(maxUnackedEvents) : null, outlet);
    }

    /** A local session taken over from a store with its log (another node held it and died). */
    Session(String id, Identity identity, String device, EventLog events) {
        this(id, identity, device, events, null);
    }

    private Session(String id, Identity identity, String device, EventLog events, Outlet outlet) {
        this.id = id;
        this.identity = identity;
        this.device = device;
        this.events = events;
        this.outlet = outlet;
    }

    void store(SessionStore store) {
        this.store = store;
    }

    SessionStore store() {
        return store;
    }

    /**
     * This local session's client resumed at another node while this node runs one of its calls
     * (docs/cluster.md "Sessions in Redis"): it stays in those calls as that node's visitor, its
     * events leave unnumbered through {@code to} and its new node numbers them.
     */
    void becomeVisitor(Outlet to) {
        this.outlet = to;
        this.connection = null;
    }

    /** True for a device signed in at another node (a visitor of this node's calls). */
    public boolean isVisitor() {
        return outlet != null;
    }

    public String id() {
        return id;
    }

    public String user() {
        return identity.user();
    }

    public String displayName() {
        return identity.displayName();
    }

    public String device() {
        return device;
    }

    public Identity identity() {
        return identity;
    }

    void identity(Identity identity) {
        this.identity = identity;
    }

    /** The identity key this device announced in its {@code hello}, or null. */
    public IdentityKey identityKey() {
        return identityKey;
    }

    void identityKey(IdentityKey key) {
        this.identityKey = key;
    }

    public State state() {
        return state;
    }

    public boolean isLive() {
        return state != State.ENDED;
    }

    public Connection connection() {
        return connection;
    }

    /** The token that resumes this session (a secret between this session's client and the servers). */
    public String resumeToken() {
        return resumeToken;
    }

    /** The seq its next event gets (0 for a visitor, whose node numbers its events). */
    public long nextSeq() {
        return events == null ? 0 : events.nextSeq();
    }

    void resumeToken(String token) {
        this.resumeToken = token;
    }

    EventLog events() {
        return events;
    }

    /** Calls this device takes part in (rings for, placed, or carries). */
    public Set<String> calls() {
        return calls;
    }

    /** Rooms this device has joined. */
    public Set<String> rooms() {
        return rooms;
    }

    void attach(Connection c) {
        this.connection = c;
        this.state = State.ATTACHED;
        c.bind(this);
    }

    void detach() {
        this.connection = null;
        this.state = State.DETACHED;
    }

    void end() {
        this.state = State.ENDED;
        this.connection = null;
    }

    /**
     * Sends an event: numbers it, keeps it for resume, and writes it if a connection is attached.
     * Events to an ended session are dropped.
     */
    public void emit(ObjectNode event) {
        if (state == State.ENDED) {
            return;
        }
        if (outlet != null) {
            write(event);
            return;
        }
        long seq = events.nextSeq();
        event.put("seq", seq);
        String json;
        try {
            json = Json.MAPPER.writeValueAsString(event);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
        events.append(seq, json);
        store.appended(this, seq, json);
        if (held != null) {
            held.add(json);
        } else if (connection != null) {
            connection.sendText(json);
        }
    }

    /** A visitor's event, unnumbered: its own node numbers it. */
    private void write(ObjectNode event) {
        String json;
        try {
            json = Json.MAPPER.writeValueAsString(event);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
        if (held != null) {
            held.add(json);
        } else {
            outlet.write(json);
        }
    }

    /** Holds this session's events until {@link #release()}, so that a reply can go first. */
    public void hold() {
        if (held == null) {
            held = new ArrayList<>(2);
        }
    }

    /** Sends the held events, in order. */
    public void release() {
        List<String> h = held;
        held = null;
        if (h == null) {
            return;
        }
        for (String json : h) {
            if (outlet != null) {
                outlet.write(json);
            } else if (connection != null) {
                connection.sendText(json);
            }
        }
    }

    @Override
    public String toString() {
        return "Session[" + id + " " + identity.user() + "/" + device + "]";
    }
}
