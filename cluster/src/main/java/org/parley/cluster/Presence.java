package org.parley.cluster;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.lettuce.core.api.async.RedisAsyncCommands;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import org.parley.signaling.cluster.RemoteDevice;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Who is signed in where: per user a Redis hash of session id -> device (node, device name,
 * display name, token expiry) with a time to live of {@code presence-ttl}, refreshed while this
 * node lives and deleted at sign-out. Entries of dead nodes are skipped when read.
 */
final class Presence {

    private static final Logger LOG = LoggerFactory.getLogger(Presence.class);
    private static final ObjectMapper JSON = new ObjectMapper();

    private final RedisAsyncCommands<String, String> redis;
    private final ClusterConfig config;
    private final NodeRegistry nodes;
    /** This node's devices, re-announced at each refresh. */
    private final Map<String, RemoteDevice> local = new ConcurrentHashMap<>();

    Presence(RedisAsyncCommands<String, String> redis, ClusterConfig config, NodeRegistry nodes) {
        this.redis = redis;
        this.config = config;
        this.nodes = nodes;
    }

    void signedIn(RemoteDevice d) {
        local.put(d.sessionId(), d);
        write(d);
    }

    void signedOut(RemoteDevice d) {
        local.remove(d.sessionId());
        redis.hdel(Keys.presence(d.user()), d.sessionId());
    }

    private void write(RemoteDevice d) {
        String key = Keys.presence(d.user());
        try {
            redis.hset(key, d.sessionId(), JSON.writeValueAsString(d));
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
        redis.pexpire(key, config.presenceTtl().toMillis());
    }

    /** Re-announces every device of this node, so that their entries outlive the TTL. */
    void refresh() {
        local.values().forEach(this::write);
    }

    /** The devices of {@code user} at live nodes. */
    CompletableFuture<List<RemoteDevice>> devices(String user) {
        return redis.hgetall(Keys.presence(user)).toCompletableFuture().thenCompose(entries -> {
            List<RemoteDevice> all = new ArrayList<>();
            for (String json : entries.values()) {
                RemoteDevice d = parse(json);
                if (d != null) {
                    all.add(d);
                }
            }
            return nodes.live(all, RemoteDevice::node);
        });
    }

    private static RemoteDevice parse(String json) {
        try {
            return JSON.readValue(json, RemoteDevice.class);
        } catch (JsonProcessingException e) {
            LOG.warn("skipped an unreadable presence entry");
            return null;
        }
    }

    /** This node stops: its entries go at once rather than at their TTL. */
    CompletableFuture<Void> leave() {
        List<CompletableFuture<Long>> dels = new ArrayList<>();
        for (RemoteDevice d : local.values()) {
            dels.add(redis.hdel(Keys.presence(d.user()), d.sessionId()).toCompletableFuture());
        }
        local.clear();
        return CompletableFuture.allOf(dels.toArray(CompletableFuture[]::new));
    }

    int localCount() {
        return local.size();
    }
}
