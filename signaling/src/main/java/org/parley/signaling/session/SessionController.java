package org.parley.signaling.session;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Executor;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.regex.Pattern;
import org.parley.signaling.Scheduler;
import org.parley.signaling.SignalingConfig;
import org.parley.signaling.auth.Identity;
import org.parley.signaling.auth.InvalidTokenException;
import org.parley.signaling.auth.TokenVerifier;
import org.parley.signaling.e2ee.IdentityKey;
import org.parley.signaling.transport.Connection;
import org.parley.signaling.wire.CloseCode;
import org.parley.signaling.wire.ErrorCode;
import org.parley.signaling.wire.Json;
import org.parley.signaling.wire.ProtocolException;
import org.parley.signaling.wire.Request;

/**
 * The life of sessions (docs/protocol.md §3-4): sign-in with {@code hello}, resume, token refresh
 * and expiry, keepalive, {@code bye}, and the grace period after a connection drops.
 */
public final class SessionController {

    /** The protocol version this server speaks. */
    public static final int PROTOCOL_VERSION = 1;

    private static final Pattern DEVICE = Pattern.compile("[A-Za-z0-9._:-]{1,64}");
    private static final SecureRandom RANDOM = new SecureRandom();

    private final SignalingConfig config;
    private final TokenVerifier verifier;
    private final IceServers ice;
    private final Sessions sessions;
    private final Scheduler scheduler;
    private final Clock clock;
    private final List<SessionObserver> observers = new CopyOnWriteArrayList<>();
    /**
     * Starts every resume token this process issues, so that a token from before a crash is
     * recognised as such (the server remembers nothing else across one) and a refused resume can
     * say {@code server_restarted}.
     */
    private final String bootId = newId("").substring(0, 8);
    /** Where sessions are copied for other nodes; alone, nowhere (docs/cluster.md). */
    private SessionStore store = SessionStore.MEMORY;
    private StoredResume stored;

    public SessionController(SignalingConfig config, TokenVerifier verifier, IceServers ice, Sessions sessions,
            Scheduler scheduler, Clock clock) {
        this.config = config;
        this.verifier = verifier;
        this.ice = ice;
        this.sessions = sessions;
        this.scheduler = scheduler;
        this.clock = clock;
    }

    public void observe(SessionObserver observer) {
        observers.add(observer);
    }

    /**
     * In a cluster: every local session is copied to {@code store}, and a resume token this node
     * does not know is looked up there (a session whose node died is taken over by this node).
     */
    public void storeIn(SessionStore store, Executor loop, String node, StoredResumeListener listener) {
        this.store = store;
        this.stored = new StoredResume(store, loop, scheduler, node);
        stored.listen(listener);
    }

    /** Told when this node took over a session another node held and died with. */
    public interface StoredResumeListener {
        /**
         * {@code calls}: the calls {@code s} takes part in, by id, with the node that runs each;
         * {@code from}: the node that died holding it (null if not known).
         */
        void tookOver(Session s, String from, Map<String, String> calls);

        /**
         * Asks live node {@code node} to hand session {@code sessionId} over (its client resumed
         * here); completes with true once it let go, false or failed if it did not.
         */
        default java.util.concurrent.CompletionStage<Boolean> release(String node, String sessionId) {
            return java.util.concurrent.CompletableFuture.completedFuture(false);
        }
    }

    /**
     * Another node holds session {@code s} now (its client resumed there, docs/cluster.md
     * "Sessions in Redis"): its old connection closes with {@code replaced} (docs/protocol.md §10)
     * and this node forgets it without ending it: its calls and rooms go on with it there. Its
     * events are already in the store (written in order on the node's one connection).
     */
    public void release(Session s) {
        detach(s);
        s.end();
    }

    /**
     * As {@link #release}, but {@code s} stays live: this node runs one of its calls, and keeps it
     * there as the visitor of the node its client moved to ({@link Visitors#adopt}).
     */
    public void releaseKeepingCalls(Session s) {
        detach(s);
    }

    private void detach(Session s) {
        cancel(s.graceTimer);
        s.tokenTimers.forEach(Scheduler.Timer::cancel);
        Connection c = s.connection();
        if (c != null) {
            c.bind(null);
            c.close(CloseCode.REPLACED);
        }
        sessions.remove(s);
        s.store().released(s);
    }

    /**
     * An event from another node for session {@code sessionId}, which this node is taking over:
     * kept until it exists (true); false when no take-over is under way.
     */
    public boolean holdWhileTakingOver(String sessionId, ObjectNode event) {
        return stored != null && stored.hold(sessionId, event);
    }

    /** A new WebSocket: it has {@code hello-timeout} to sign in. */
    public void opened(Connection c) {
        c.helloTimer(scheduler.schedule(config.helloTimeout(), () -> {
            if (c.session() == null) {
                c.close(CloseCode.HELLO_TIMEOUT);
            }
        }));
        armKeepalive(c, doublePing());
    }

    private Duration doublePing() {
        return config.pingInterval().multipliedBy(2);
    }

    /** Two ping intervals of silence close the connection (4005); checked lazily, not per message. */
    private void armKeepalive(Connection c, Duration delay) {
        c.keepaliveTimer(scheduler.schedule(delay, () -> {
            if (!c.isOpen()) {
                return;
            }
            long idle = clock.millis() - c.lastMessageMillis();
            long limit = doublePing().toMillis();
            if (idle >= limit) {
                c.close(CloseCode.KEEPALIVE_TIMEOUT);
            } else {
                armKeepalive(c, Duration.ofMillis(limit - idle));
            }
        }));
    }

    /** The WebSocket is gone: its session, if any, waits for a resume. */
    public void closed(Connection c) {
        cancel(c.helloTimer());
        cancel(c.keepaliveTimer());
        Session s = c.session();
        if (s == null || s.connection() != c || !s.isLive()) {
            return;
        }
        s.detach();
        s.graceTimer = graceTimer(s);
    }

    private Scheduler.Timer graceTimer(Session s) {
        return scheduler.schedule(config.resumeGracePeriod(), () -> {
            if (s.state() == Session.State.DETACHED) {
                end(s, "connection_lost");
            }
        });
    }

    /**
     * {@code hello}: checks the token and the device, then resumes the session named by the
     * resume token or starts a new one. Returns the session; the {@code welcome} has been sent.
     */
    public Session hello(Connection c, Request r) {
        if (c.session() != null) {
            throw new ProtocolException(ErrorCode.ALREADY_AUTHENTICATED, "this connection has signed in");
        }
        long protocol = r.optLong("protocol", 0, Integer.MAX_VALUE).orElse((long) PROTOCOL_VERSION);
        String token = r.text("token");
        String device = r.text("device", DEVICE, "1-64 characters of [A-Za-z0-9._:-]");
        Optional<String> resumeToken = r.optText("resumeToken");
        long lastSeq = r.optLong("lastSeq", 0, Long.MAX_VALUE).orElse(0L);
        ResumeClaims claims = resumeToken.isPresent() ? ResumeClaims.of(r) : ResumeClaims.NONE;
        Optional<IdentityKey> identityKey = IdentityKey.from(r);
        if (protocol != PROTOCOL_VERSION) {
            refuseAndClose(c, r, ErrorCode.UNSUPPORTED_PROTOCOL, "this server speaks protocol " + PROTOCOL_VERSION,
                    CloseCode.UNSUPPORTED_PROTOCOL);
            return null;
        }
        Identity identity;
        try {
            identity = verifier.verify(token);
        } catch (InvalidTokenException e) {
            boolean expired = e.kind() == InvalidTokenException.Kind.EXPIRED;
            refuseAndClose(c, r, expired ? ErrorCode.TOKEN_EXPIRED : ErrorCode.INVALID_TOKEN, e.getMessage(),
                    expired ? CloseCode.TOKEN_EXPIRED : CloseCode.INVALID_TOKEN);
            return null;
        }
        cancel(c.helloTimer());
        if (resumeToken.isPresent()) {
            Session old = sessions.byResumeToken(resumeToken.get());
            if (old != null && old.isLive() && old.user().equals(identity.user()) && old.device().equals(device)) {
                Optional<List<String>> missed = old.events().since(lastSeq);
                if (missed.isPresent()) {
                    identityKey.ifPresent(old::identityKey);
                    resume(c, r, old, identity, missed.get());
                    return old;
                }
            }
            if (old == null && stored != null && stored.shared()) {
                // Perhaps a session of a node that died: the welcome waits for the store.
                stored.find(resumeToken.get(), identity.user(), device).thenAccept(found -> {
                    if (found.isPresent()) {
                        takeOver(c, r, found.get(), identity, identityKey, lastSeq, claims, resumeToken.get());
                    } else if (c.isOpen() && c.session() == null) {
                        start(c, r, identity, device, identityKey, resumeToken, claims);
                    }
                });
                return null;
            }
        }
        return start(c, r, identity, device, identityKey, resumeToken, claims);
    }

    /**
     * A session another node held and died with, now this node's: same id, its log as the store
     * kept it. Resumed if the client's {@code lastSeq} is still in the log; else it ends (its calls
     * with it) and the client gets a fresh session, as after any refused resume.
     */
    private void takeOver(Connection c, Request r, SessionStore.Stored found, Identity identity,
            Optional<IdentityKey> identityKey, long lastSeq, ResumeClaims claims, String resumeToken) {
        EventLog log = EventLog.restored(config.maxUnackedEvents(), found.nextSeq(), found.events());
        Session s = new Session(found.sessionId(), identity, found.device(), log);
        s.store(store);
        s.identityKey(identityKey.orElse(null));
        s.resumeToken(resumeToken);
        sessions.add(s);
        s.detach();
        stored.tookOver(s, found);
        for (SessionObserver o : observers) {
            o.sessionStarted(s);
        }
        Optional<List<String>> missed = log.since(lastSeq);
        if (!c.isOpen() || c.session() != null) {
            // The client left meanwhile: the session waits for another resume, as any detached one.
            store.saved(s, null);
            s.graceTimer = graceTimer(s);
        } else if (missed.isPresent()) {
            resume(c, r, s, identity, missed.get());
        } else {
            end(s, "connection_lost");
            start(c, r, identity, found.device(), identityKey, Optional.of(resumeToken), claims);
        }
    }

    private Session start(Connection c, Request r, Identity identity, String device, Optional<IdentityKey> identityKey,
            Optional<String> resumeToken, ResumeClaims claims) {
        Session existing = sessions.device(identity.user(), device);
        if (existing != null) {
            Connection previous = existing.connection();
            end(existing, "connection_lost");
            if (previous != null) {
                previous.close(CloseCode.REPLACED);
            }
        }
        Session s = new Session(newId("s-"), identity, device, config.maxUnackedEvents());
        s.store(store);
        s.identityKey(identityKey.orElse(null));
        s.resumeToken(newResumeToken());
        sessions.add(s);
        store.saved(s, null);
        s.attach(c);
        // Timers first: whoever holds the welcome may already be at the token's next deadline.
        armTokenTimers(s);
        ObjectNode welcome = welcome(r, s, false, c);
        resumeToken.ifPresent(t -> welcome.set("ended", claims.ended(refusedResumeReason(t))));
        c.send(welcome);
        for (SessionObserver o : observers) {
            o.sessionStarted(s);
        }
        return s;
    }

    private void resume(Connection c, Request r, Session s, Identity identity, List<String> missed) {
        Connection previous = s.connection();
        cancel(s.graceTimer);
        s.identity(identity);
        String previousToken = s.resumeToken();
        sessions.newResumeToken(s, newResumeToken());
        s.store().saved(s, previousToken);
        s.attach(c);
        if (previous != null && previous != c) {
            previous.bind(null);
            previous.close(CloseCode.REPLACED);
        }
        armTokenTimers(s);
        c.send(welcome(r, s, true, c));
        for (String json : missed) {
            c.sendText(json);
        }
    }

    private String newResumeToken() {
        return bootId + "." + newId("");
    }

    /**
     * Why the calls and rooms of a refused resume are over for this device: the server restarted
     * (the token is from another process), or the old session ended or was replaced (§4).
     */
    private String refusedResumeReason(String resumeToken) {
        return resumeToken.startsWith(bootId + ".") ? "connection_lost" : "server_restarted";
    }

    private ObjectNode welcome(Request r, Session s, boolean resumed, Connection c) {
        ObjectNode w = Json.object();
        w.put("type", "welcome");
        w.set("id", r.id());
        w.put("sessionId", s.id());
        w.put("protocol", PROTOCOL_VERSION);
        w.put("user", s.user());
        w.put("displayName", s.displayName());
        w.put("device", s.device());
        w.put("resumed", resumed);
        w.put("resumeToken", s.resumeToken());
        w.put("resumeGraceMs", config.resumeGracePeriod().toMillis());
        w.put("pingIntervalMs", config.pingInterval().toMillis());
        w.put("tokenExpiresAt", s.identity().expiresAt().toEpochMilli());
        w.set("iceServers", ice.forUser(s.user(), c.host()));
        return w;
    }

    private static void refuseAndClose(Connection c, Request r, ErrorCode code, String message, CloseCode close) {
        c.send(Json.error(r.id(), code, message));
        c.close(close);
    }

    /** Warns before the token expires and closes the connection (4002) if it was not refreshed. */
    private void armTokenTimers(Session s) {
        s.tokenTimers.forEach(Scheduler.Timer::cancel);
        s.tokenTimers.clear();
        Instant expiry = s.identity().expiresAt();
        Duration left = Duration.between(clock.instant(), expiry);
        Duration warnIn = left.minus(config.tokenRefreshWarning());
        if (!warnIn.isNegative()) {
            s.tokenTimers.add(scheduler.schedule(warnIn, () -> {
                if (s.isLive() && s.identity().expiresAt().equals(expiry)) {
                    ObjectNode e = Json.event("session.token_expiring");
                    e.put("expiresAt", expiry.toEpochMilli());
                    s.emit(e);
                }
            }));
        }
        s.tokenTimers.add(scheduler.schedule(left.isNegative() ? Duration.ZERO : left, () -> {
            if (s.isLive() && s.identity().expiresAt().equals(expiry) && s.connection() != null) {
                s.connection().close(CloseCode.TOKEN_EXPIRED);
            }
        }));
    }

    /** {@code refresh}: a new token for the same user. */
    public ObjectNode refresh(Session s, Request r) {
        String token = r.text("token");
        Identity identity;
        try {
            identity = verifier.verify(token);
        } catch (InvalidTokenException e) {
            throw new ProtocolException(e.kind() == InvalidTokenException.Kind.EXPIRED
                    ? ErrorCode.TOKEN_EXPIRED : ErrorCode.INVALID_TOKEN, e.getMessage());
        }
        if (!identity.user().equals(s.user())) {
            throw new ProtocolException(ErrorCode.TOKEN_MISMATCH, "the token is for another user");
        }
        s.identity(identity);
        armTokenTimers(s);
        ObjectNode out = Json.object();
        out.put("tokenExpiresAt", identity.expiresAt().toEpochMilli());
        out.set("iceServers", ice.forUser(s.user(), s.connection() == null ? "localhost" : s.connection().host()));
        return out;
    }

    public ObjectNode ping(Session s, Request r) {
        ObjectNode out = Json.object();
        out.put("serverTime", clock.millis());
        return out;
    }

    /** {@code ack}: forget events up to {@code seq}. */
    public void ack(Session s, Request r) {
        long seq = r.longValue("seq", 0, Long.MAX_VALUE);
        s.events().ack(seq);
        s.store().acked(s, seq);
    }

    /** {@code bye}: the caller replies, then the session ends with {@code hangup} and closes 1000. */
    public void bye(Session s) {
        Connection c = s.connection();
        end(s, "hangup");
        if (c != null) {
            c.close(CloseCode.NORMAL);
        }
    }

    /** Ends a session for good and tells the observers (calls end, rooms are left). */
    public void end(Session s, String reason) {
        if (!s.isLive()) {
            return;
        }
        cancel(s.graceTimer);
        s.tokenTimers.forEach(Scheduler.Timer::cancel);
        Connection c = s.connection();
        if (c != null) {
            c.bind(null);
        }
        sessions.remove(s);
        if (!s.isVisitor()) {
            s.store().ended(s);
        }
        for (SessionObserver o : observers) {
            o.sessionEnded(s, reason);
        }
        s.end();
    }

    private static void cancel(Scheduler.Timer t) {
        if (t != null) {
            t.cancel();
        }
    }

    private static String newId(String prefix) {
        byte[] b = new byte[16];
        RANDOM.nextBytes(b);
        return prefix + Base64.getUrlEncoder().withoutPadding().encodeToString(b);
    }
}
