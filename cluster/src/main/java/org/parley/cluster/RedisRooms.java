package org.parley.cluster;

import io.lettuce.core.ScriptOutputType;
import io.lettuce.core.api.async.RedisAsyncCommands;
import java.time.Duration;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import org.parley.signaling.room.RoomStore;

/**
 * Which node runs each room, in Redis (docs/cluster.md "Rooms across nodes"). A node that finds no
 * owner, or one that no longer heartbeats, claims the room with a compare-and-set, so that nodes
 * asking at once agree on one owner. The owner renews its rooms' keys with its sessions', and
 * deletes them when the rooms end.
 */
final class RedisRooms implements RoomStore {

    /**
     * Makes this node the room's owner if the owner is still the one the caller saw (empty: none);
     * returns the owner after it. KEYS: room. ARGV: owner seen, this node, TTL in ms.
     */
    private static final String CLAIM = """
            local o = redis.call('HGET', KEYS[1], 'owner')
            if o and o ~= ARGV[1] then return o end
            redis.call('HSET', KEYS[1], 'owner', ARGV[2])
            redis.call('PEXPIRE', KEYS[1], ARGV[3])
            return ARGV[2]
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
    public CompletionStage<String> owner(String roomId) {
        String key = Keys.room(roomId);
        return redis.hget(key, "owner").toCompletableFuture().thenCompose(seen -> {
            if (seen == null) {
                return claim(key, "");
            }
            if (seen.equals(self) || nodes.isAlive(seen)) {
                return CompletableFuture.completedFuture(seen);
            }
            // not seen at the last heartbeat: maybe a node started since
            return nodes.ask(seen).thenCompose(alive -> alive ? CompletableFuture.completedFuture(seen) : claim(key, seen));
        }).thenApply(owner -> {
            if (owner.equals(self)) {
                owned.add(roomId);
            }
            return owner;
        });
    }

    private CompletableFuture<String> claim(String key, String seen) {
        return redis.<String>eval(CLAIM, ScriptOutputType.VALUE, new String[] {key}, seen, self,
                Long.toString(ttlMillis)).toCompletableFuture();
    }

    @Override
    public void saved(String roomId) {
        owned.add(roomId);
        String key = Keys.room(roomId);
        redis.hset(key, "owner", self);
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
}
