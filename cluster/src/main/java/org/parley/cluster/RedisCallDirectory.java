package org.parley.cluster;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.lettuce.core.ScriptOutputType;
import io.lettuce.core.api.async.RedisAsyncCommands;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import org.parley.signaling.cluster.CallDirectory;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Every user's live calls in Redis (docs/cluster.md "Calls across nodes"): per user a hash of call
 * id -> entry, written by the call's owner under both parties when it rings, again when it is
 * answered, and deleted when it ends. Each hash lives as long as a session's keys past the last
 * write or renewal of an owner (renewed with the sessions), so the entries of a node that died
 * outlive it; readers skip the entries of dead owners.
 */
final class RedisCallDirectory implements CallDirectory {

    private static final Logger LOG = LoggerFactory.getLogger(RedisCallDirectory.class);
    private static final ObjectMapper JSON = new ObjectMapper();
    /**
     * Writes a new call's entry under the caller (KEYS[1]) and the callee (KEYS[2]) and answers the
     * caller's entries as they are then. Redis runs one script at a time, so of two invites crossing
     * at two nodes the second sees the first (glare, docs/cluster.md). The two keys lie in two hash
     * slots: one Redis (with replicas) is fine, Redis Cluster would refuse it (CROSSSLOT).
     */
    private static final String PLACE = """
            for i = 1, 2 do
              redis.call('HSET', KEYS[i], ARGV[1], ARGV[2])
              redis.call('PEXPIRE', KEYS[i], ARGV[3])
            end
            return redis.call('HVALS', KEYS[1])
            """;

    private final RedisAsyncCommands<String, String> redis;
    private final NodeRegistry nodes;
    private final long ttlMillis;
    /** The entries this node wrote and has not removed, by call id: their users' hashes are renewed. */
    private final Map<String, Entry> owned = new ConcurrentHashMap<>();

    RedisCallDirectory(RedisAsyncCommands<String, String> redis, NodeRegistry nodes, Duration ttl) {
        this.redis = redis;
        this.nodes = nodes;
        this.ttlMillis = ttl.toMillis();
    }

    @Override
    public CompletionStage<List<Entry>> calls(String user) {
        return redis.hgetall(Keys.userCalls(user)).toCompletableFuture()
                .thenCompose(fields -> live(user, fields.values()));
    }

    @Override
    public CompletionStage<List<Entry>> place(Entry e) {
        owned.put(e.callId(), e);
        return redis.<List<String>>eval(PLACE, ScriptOutputType.MULTI,
                new String[] {Keys.userCalls(e.caller()), Keys.userCalls(e.callee())},
                e.callId(), json(e), Long.toString(ttlMillis))
                .toCompletableFuture().thenCompose(values -> live(e.caller(), values));
    }

    /** The readable entries among {@code values} whose owner is alive. */
    private CompletableFuture<List<Entry>> live(String user, java.util.Collection<String> values) {
        List<Entry> all = new ArrayList<>();
        for (String json : values) {
            try {
                all.add(JSON.readValue(json, Entry.class));
            } catch (JsonProcessingException e) {
                LOG.warn("skipped an unreadable call entry of {}", user);
            }
        }
        return nodes.live(all, Entry::owner);
    }

    @Override
    public void put(Entry e) {
        owned.put(e.callId(), e);
        String json = json(e);
        for (String user : List.of(e.caller(), e.callee())) {
            redis.hset(Keys.userCalls(user), e.callId(), json);
            redis.pexpire(Keys.userCalls(user), ttlMillis);
        }
    }

    private static String json(Entry e) {
        try {
            return JSON.writeValueAsString(e);
        } catch (JsonProcessingException x) {
            throw new IllegalStateException(x);
        }
    }

    @Override
    public void remove(Entry e) {
        owned.remove(e.callId());
        for (String user : List.of(e.caller(), e.callee())) {
            redis.hdel(Keys.userCalls(user), e.callId());
        }
    }

    /** Renews the hashes of the users in this node's calls. */
    void refresh() {
        java.util.Set<String> users = new java.util.HashSet<>();
        for (Entry e : owned.values()) {
            users.add(e.caller());
            users.add(e.callee());
        }
        for (String user : users) {
            redis.pexpire(Keys.userCalls(user), ttlMillis);
        }
    }

    /** Calls whose entries this node keeps (for tests and metrics). */
    int size() {
        return owned.size();
    }
}
