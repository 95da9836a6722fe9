package org.parley.cluster;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.lettuce.core.ScriptOutputType;
import io.lettuce.core.api.async.RedisAsyncCommands;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import org.parley.signaling.call.CallStore;
import org.parley.signaling.call.StoredCall;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Answered calls in Redis (docs/cluster.md "Calls in Redis"), so that a node takes over the calls
 * of an owner that died. The owner writes each call's record as it changes and renews it with its
 * sessions; the record lives as long as a session's keys past the owner's last renewal, so it is
 * there for the whole resume grace of the dead node's devices.
 */
final class RedisCalls implements CallStore {

    private static final Logger LOG = LoggerFactory.getLogger(RedisCalls.class);
    private static final ObjectMapper JSON = new ObjectMapper();

    /**
     * Moves a call's owner from the node that died to this one, only if it is still the dead node
     * (so of all the nodes that claim it, exactly one wins); returns the record or nil.
     * KEYS: call. ARGV: dead node, this node, TTL in ms.
     */
    private static final String CLAIM = """
            if redis.call('HGET', KEYS[1], 'owner') ~= ARGV[1] then return false end
            redis.call('HSET', KEYS[1], 'owner', ARGV[2])
            redis.call('PEXPIRE', KEYS[1], ARGV[3])
            return redis.call('HGET', KEYS[1], 'record')
            """;

    /**
     * Names the node running a call in a stored session's calls (JSON object call id -> node), if
     * the session is still stored. KEYS: session. ARGV: call id, node.
     */
    private static final String SESSION_CALL = """
            local calls = redis.call('HGET', KEYS[1], 'calls')
            if not calls then return 0 end
            local t = cjson.decode(calls)
            t[ARGV[1]] = ARGV[2]
            redis.call('HSET', KEYS[1], 'calls', cjson.encode(t))
            return 1
            """;

    private final RedisAsyncCommands<String, String> redis;
    private final String self;
    private final long ttlMillis;
    /** The calls this node owns and has written, renewed by {@link #refresh}. */
    private final Set<String> owned = ConcurrentHashMap.newKeySet();

    RedisCalls(RedisAsyncCommands<String, String> redis, String self, Duration ttl) {
        this.redis = redis;
        this.self = self;
        this.ttlMillis = ttl.toMillis();
    }

    @Override
    public void saved(StoredCall c) {
        owned.add(c.id());
        String key = Keys.call(c.id());
        redis.hset(key, Map.of("owner", self, "record", json(c)));
        redis.pexpire(key, ttlMillis);
    }

    @Override
    public void ended(String callId) {
        owned.remove(callId);
        redis.del(Keys.call(callId));
    }

    @Override
    public CompletionStage<List<StoredCall>> claim(String deadNode, Set<String> callIds) {
        List<CompletableFuture<StoredCall>> claims = new ArrayList<>();
        for (String id : callIds) {
            claims.add(redis.<String>eval(CLAIM, ScriptOutputType.VALUE, new String[] {Keys.call(id)},
                    deadNode, self, Long.toString(ttlMillis)).toCompletableFuture().thenApply(this::parse));
        }
        return CompletableFuture.allOf(claims.toArray(CompletableFuture[]::new)).thenApply(v -> {
            List<StoredCall> won = new ArrayList<>();
            for (CompletableFuture<StoredCall> f : claims) {
                StoredCall c = f.join();
                if (c != null) {
                    owned.add(c.id());
                    won.add(c);
                }
            }
            return won;
        });
    }

    @Override
    public CompletionStage<String> owner(String callId) {
        return redis.hget(Keys.call(callId), "owner");
    }

    @Override
    public void sessionInCall(String sessionId, String callId, String owner) {
        redis.eval(SESSION_CALL, ScriptOutputType.INTEGER, new String[] {Keys.session(sessionId)}, callId, owner);
    }

    /** Keeps this node's calls in Redis: called more often than the TTL runs out. */
    void refresh() {
        owned.forEach(id -> redis.pexpire(Keys.call(id), ttlMillis));
    }

    int ownedCount() {
        return owned.size();
    }

    /** A claimed record, now this node's; null when the claim lost or the record is unreadable. */
    private StoredCall parse(String record) {
        if (record == null) {
            return null;
        }
        try {
            StoredCall c = JSON.readValue(record, StoredCall.class);
            return c.ownedBy(self);
        } catch (JsonProcessingException e) {
            LOG.warn("a claimed call's record was unreadable: {}", e.toString());
            return null;
        }
    }

    private static String json(StoredCall c) {
        try {
            return JSON.writeValueAsString(c);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }
}
