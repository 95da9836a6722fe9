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
import org.parley.signaling.room.RoomStore;
import org.parley.signaling.room.StoredRoom;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Rooms in Redis (docs/cluster.md "Rooms across nodes"): which node runs each, and its record.
 * A node that finds no owner, or one that no longer heartbeats, claims the room with a
 * compare-and-set, so that nodes asking at once agree on one owner; a claim of a dead owner's room
 * brings its record along. The owner rewrites the record as the room changes, renews the key with
 * its sessions' and deletes it when the room ends.
 */
final class RedisRooms implements RoomStore {

    private static final Logger LOG = LoggerFactory.getLogger(RedisRooms.class);
    private static final ObjectMapper JSON = new ObjectMapper();

    /**
     * Makes this node the room's owner if the owner is still the one the caller saw (empty: none;
     * a room gone meanwhile is not claimed from a dead node). Returns {owner after, record or ''}.
     * KEYS: room. ARGV: owner seen, this node, TTL in ms.
     */
    private static final String CLAIM = """
            local o = redis.call('HGET', KEYS[1], 'owner')
            if o and o ~= ARGV[1] then return {o, ''} end
            if not o and ARGV[1] ~= '' then return {'', ''} end
            redis.call('HSET', KEYS[1], 'owner', ARGV[2])
            redis.call('PEXPIRE', KEYS[1], ARGV[3])
            return {ARGV[2], redis.call('HGET', KEYS[1], 'record') or ''}
            """;

    private final RedisAsyncCommands<String, String> redis;
    private final String self;
    private final NodeRegistry nodes;
    private final long ttlMillis;
    /** The rooms this node runs, renewed by {@link #refresh}. */
    private final Set<String> owned = ConcurrentHashMap.newKeySet();

    RedisRooms(RedisAsyncCommands<String, String> redis, String self, NodeRegistry nodes, Duration ttl) {
        this.redis = redis;
        this.self = self;
        this.nodes = nodes;
        this.ttlMillis = ttl.toMillis();
    }

    @Override
    public CompletionStage<Claim> owner(String roomId) {
        String key = Keys.room(roomId);
        return redis.hget(key, "owner").toCompletableFuture().thenCompose(seen -> {
            if (seen == null) {
                return claim(roomId, "");
            }
            if (seen.equals(self) || nodes.isAlive(seen)) {
                return CompletableFuture.completedFuture(new Claim(roomId, seen.equals(self) ? null : seen, null, null));
            }
            // not seen at the last heartbeat: maybe a node started since
            return nodes.ask(seen).thenCompose(alive -> alive
                    ? CompletableFuture.completedFuture(new Claim(roomId, seen, null, null)) : claim(roomId, seen));
        });
    }

    @Override
    public CompletionStage<List<Claim>> claim(String deadNode, Set<String> roomIds) {
        List<CompletableFuture<Claim>> claims = new ArrayList<>();
        for (String id : roomIds) {
            claims.add(claim(id, deadNode));
        }
        return CompletableFuture.allOf(claims.toArray(CompletableFuture[]::new)).thenApply(v -> {
            List<Claim> out = new ArrayList<>();
            claims.forEach(c -> out.add(c.join()));
            return out;
        });
    }

    /** Claims {@code roomId} if its owner is still {@code seen} ("" for none). */
    private CompletableFuture<Claim> claim(String roomId, String seen) {
        return redis.<List<Object>>eval(CLAIM, ScriptOutputType.MULTI, new String[] {Keys.room(roomId)}, seen, self,
                Long.toString(ttlMillis)).toCompletableFuture().thenApply(reply -> {
                    String owner = text(reply.get(0));
                    if (!owner.equals(self)) {
                        return new Claim(roomId, owner.isEmpty() ? null : owner, null, null);
                    }
                    owned.add(roomId);
                    StoredRoom taken = seen.isEmpty() ? null : parse(text(reply.get(1)));
                    return new Claim(roomId, null, taken, taken == null ? null : seen);
                });
    }

    @Override
    public void saved(StoredRoom room) {
        owned.add(room.id());
        String key = Keys.room(room.id());
        redis.hset(key, Map.of("owner", self, "record", json(room)));
        redis.pexpire(key, ttlMillis);
    }

    @Override
    public void ended(String roomId) {
        if (owned.remove(roomId)) {
            redis.del(Keys.room(roomId));
        }
    }

    /** Keeps this node's rooms in Redis: called more often than the TTL runs out. */
    void refresh() {
        owned.forEach(id -> redis.pexpire(Keys.room(id), ttlMillis));
    }

    private static String text(Object o) {
        return o instanceof byte[] b ? new String(b, java.nio.charset.StandardCharsets.UTF_8) : String.valueOf(o);
    }

    private static StoredRoom parse(String record) {
        if (record.isEmpty()) {
            return null;
        }
        try {
            return JSON.readValue(record, StoredRoom.class);
        } catch (JsonProcessingException e) {
            LOG.warn("a claimed room's record was unreadable: {}", e.toString());
            return null;
        }
    }

    private static String json(StoredRoom r) {
        try {
            return JSON.writeValueAsString(r);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }
}
