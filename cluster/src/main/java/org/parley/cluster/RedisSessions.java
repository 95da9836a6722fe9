package org.parley.cluster;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.lettuce.core.KeyValue;
import io.lettuce.core.ScriptOutputType;
import io.lettuce.core.SetArgs;
import io.lettuce.core.api.async.RedisAsyncCommands;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import org.parley.signaling.session.Session;
import org.parley.signaling.session.SessionStore;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Sessions and their event logs in Redis (docs/cluster.md "Sessions in Redis"), so that a device
 * whose node died resumes at another. The node holding a session writes it through as its loop
 * changes it; every key lives {@code ttl} (the resume grace plus one refresh period) past the last
 * refresh, so a dead node's sessions wait at least the grace for their clients. Commands go out on
 * the node's one connection, in the order the loop made them.
 */
final class RedisSessions implements SessionStore {

    private static final Logger LOG = LoggerFactory.getLogger(RedisSessions.class);
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final TypeReference<Map<String, String>> CALLS = new TypeReference<>() { };

    /**
     * Appends one event. {@code local}: the holder numbered it ({@code seq}). {@code orphan}: its
     * node ({@code dead}) died, the log numbers it, unless another node holds the session now.
     * The log keeps the last {@code capacity} events; it lives as long as the session's hash.
     * KEYS: session, events. ARGV: mode, json, seq, capacity, dead.
     */
    private static final String APPEND = """
            local holder = redis.call('HGET', KEYS[1], 'node')
            if not holder then return 'gone' end
            local seq
            local json = ARGV[2]
            if ARGV[1] == 'orphan' then
              if holder ~= ARGV[5] then return 'moved:' .. holder end
              seq = tonumber(redis.call('HGET', KEYS[1], 'nextSeq'))
              json = '{"seq":' .. seq .. ',' .. string.sub(json, 2)
            else
              seq = tonumber(ARGV[3])
            end
            redis.call('HSET', KEYS[1], 'nextSeq', seq + 1)
            redis.call('RPUSH', KEYS[2], json)
            redis.call('LTRIM', KEYS[2], -tonumber(ARGV[4]), -1)
            local ttl = redis.call('PTTL', KEYS[1])
            if ttl > 0 then redis.call('PEXPIRE', KEYS[2], ttl) end
            return 'logged:' .. seq
            """;

    /**
     * Drops the acknowledged events: the log holds the seqs just below nextSeq, without gaps.
     * KEYS: session, events. ARGV: seq acknowledged.
     */
    private static final String ACK = """
            local next = tonumber(redis.call('HGET', KEYS[1], 'nextSeq') or '1')
            local drop = tonumber(ARGV[1]) - (next - redis.call('LLEN', KEYS[2])) + 1
            if drop > 0 then redis.call('LTRIM', KEYS[2], drop, -1) end
            return drop
            """;

    /**
     * Takes a session over from the node that died holding it; nil when it is gone or another
     * node was first. KEYS: session, events. ARGV: dead node, this node.
     */
    private static final String CLAIM = """
            if redis.call('HGET', KEYS[1], 'node') ~= ARGV[1] then return false end
            redis.call('HSET', KEYS[1], 'node', ARGV[2])
            local f = redis.call('HMGET', KEYS[1], 'user', 'device', 'nextSeq', 'calls')
            return {f[1], f[2], f[3], f[4] or '{}', redis.call('LRANGE', KEYS[2], 0, -1)}
            """;

    private final RedisAsyncCommands<String, String> redis;
    private final String self;
    private final NodeRegistry nodes;
    private final long ttlMillis;
    private final int capacity;
    private final Duration holderTimeout;
    /** This node's sessions: resume token and calls, for refreshes and the calls field. */
    private final Map<String, Local> local = new ConcurrentHashMap<>();

    private record Local(String resumeToken, Map<String, String> calls) {
    }

    RedisSessions(RedisAsyncCommands<String, String> redis, String self, NodeRegistry nodes, Duration ttl, int capacity,
            Duration holderTimeout) {
        this.holderTimeout = holderTimeout;
        this.redis = redis;
        this.self = self;
        this.nodes = nodes;
        this.ttlMillis = ttl.toMillis();
        this.capacity = capacity;
    }

    @Override
    public boolean shared() {
        return true;
    }

    /** A node's heartbeat key outlives it by at most node-timeout; one more heartbeat to notice. */
    @Override
    public Duration holderTimeout() {
        return holderTimeout;
    }

    @Override
    public void saved(Session s, String previousResumeToken) {
        save(s.id(), s.user(), s.device(), s.displayName(), s.resumeToken(), s.nextSeq(), previousResumeToken);
    }

    void save(String id, String user, String device, String name, String resumeToken, long nextSeq,
            String previousResumeToken) {
        Local previous = local.get(id);
        Local now = new Local(resumeToken, previous == null ? new ConcurrentHashMap<>() : previous.calls());
        local.put(id, now);
        Map<String, String> fields = new LinkedHashMap<>();
        fields.put("user", user);
        fields.put("device", device);
        fields.put("name", name);
        fields.put("node", self);
        fields.put("token", resumeToken);
        fields.put("nextSeq", Long.toString(nextSeq));
        fields.put("calls", json(now.calls()));
        String key = Keys.session(id);
        redis.hset(key, fields);
        if (previousResumeToken != null) {
            redis.del(Keys.resume(previousResumeToken));
        }
        redis.set(Keys.resume(resumeToken), id, SetArgs.Builder.px(ttlMillis));
        redis.pexpire(key, ttlMillis);
        redis.pexpire(Keys.events(id), ttlMillis);
    }

    @Override
    public void appended(Session s, long seq, String json) {
        append(s.id(), seq, json);
    }

    CompletableFuture<String> append(String id, long seq, String json) {
        return redis.<String>eval(APPEND, ScriptOutputType.VALUE, new String[] {Keys.session(id), Keys.events(id)},
                "local", json, Long.toString(seq), Integer.toString(capacity), "")
                .toCompletableFuture().exceptionally(e -> {
                    LOG.warn("session {}: event {} not stored: {}", id, seq, e.toString());
                    return null;
                });
    }

    @Override
    public void acked(Session s, long seq) {
        ack(s.id(), seq);
    }

    CompletableFuture<Long> ack(String id, long seq) {
        return redis.<Long>eval(ACK, ScriptOutputType.INTEGER, new String[] {Keys.session(id), Keys.events(id)},
                Long.toString(seq)).toCompletableFuture();
    }

    @Override
    public void callOwner(Session s, String callId, String owner) {
        Local l = local.get(s.id());
        if (l == null) {
            return;
        }
        if (owner == null) {
            l.calls().remove(callId);
        } else {
            l.calls().put(callId, owner);
        }
        redis.hset(Keys.session(s.id()), "calls", json(l.calls()));
    }

    @Override
    public void released(Session s) {
        local.remove(s.id());
    }

    @Override
    public void ended(Session s) {
        end(s.id(), s.resumeToken());
    }

    CompletableFuture<Long> end(String id, String resumeToken) {
        local.remove(id);
        return redis.del(Keys.session(id), Keys.events(id), Keys.resume(resumeToken)).toCompletableFuture();
    }

    @Override
    public CompletionStage<Optional<Held>> holder(String resumeToken) {
        return redis.get(Keys.resume(resumeToken)).toCompletableFuture().thenCompose(id -> {
            if (id == null) {
                return CompletableFuture.completedFuture(Optional.<Held>empty());
            }
            return redis.hmget(Keys.session(id), "node", "user", "device").toCompletableFuture().thenCompose(f -> {
                if (f.stream().anyMatch(kv -> !kv.hasValue())) {
                    return CompletableFuture.completedFuture(Optional.<Held>empty());
                }
                String node = f.get(0).getValue();
                // Redis, not the last heartbeat's view: a client often comes back within a heartbeat.
                return nodes.ask(node).thenApply(a -> Optional.of(new Held(id, node, a, value(f.get(1)), value(f.get(2)))));
            });
        });
    }

    @Override
    public CompletionStage<Optional<Stored>> claim(String sessionId, String from) {
        return redis.<List<Object>>eval(CLAIM, ScriptOutputType.MULTI,
                new String[] {Keys.session(sessionId), Keys.events(sessionId)}, from, self)
                .toCompletableFuture().thenApply(r -> {
                    if (r == null || r.size() < 5) {
                        return Optional.<Stored>empty();
                    }
                    @SuppressWarnings("unchecked")
                    List<String> events = (List<String>) (List<?>) r.get(4);
                    Map<String, String> calls = parseCalls((String) r.get(3));
                    local.put(sessionId, new Local("", new ConcurrentHashMap<>(calls)));
                    return Optional.of(new Stored(sessionId, (String) r.get(0), (String) r.get(1),
                            Long.parseLong((String) r.get(2)), List.copyOf(events), calls));
                });
    }

    @Override
    public CompletionStage<Orphan> appendOrphan(String sessionId, String deadNode, String json) {
        return redis.<String>eval(APPEND, ScriptOutputType.VALUE,
                new String[] {Keys.session(sessionId), Keys.events(sessionId)},
                "orphan", json, "", Integer.toString(capacity), deadNode)
                .toCompletableFuture().thenApply(r -> {
                    if (r.startsWith("logged:")) {
                        return new Orphan(Orphan.Kind.LOGGED, Long.parseLong(r.substring(7)), null);
                    }
                    if (r.startsWith("moved:")) {
                        return new Orphan(Orphan.Kind.MOVED, 0, r.substring(6));
                    }
                    return Orphan.GONE;
                });
    }

    /** Keeps this node's sessions alive in Redis: called more often than the TTL runs out. */
    void refresh() {
        local.forEach((id, l) -> {
            redis.pexpire(Keys.session(id), ttlMillis);
            redis.pexpire(Keys.events(id), ttlMillis);
            redis.pexpire(Keys.resume(l.resumeToken()), ttlMillis);
        });
    }

    int localCount() {
        return local.size();
    }

    private static String value(KeyValue<String, String> kv) {
        return kv.getValue();
    }

    private static String json(Map<String, String> calls) {
        try {
            return JSON.writeValueAsString(calls);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    private static Map<String, String> parseCalls(String json) {
        try {
            return JSON.readValue(json, CALLS);
        } catch (JsonProcessingException e) {
            LOG.warn("a stored session's calls were unreadable: {}", e.toString());
            return Map.of();
        }
    }
}
