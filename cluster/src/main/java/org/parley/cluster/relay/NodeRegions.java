package org.parley.cluster.relay;

import io.lettuce.core.SetArgs;
import io.lettuce.core.api.sync.RedisCommands;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The region of each signaling node: its {@code preferred-region}, published in Redis
 * ({@code parley:signaling:{node}:region}, with the placement TTL, renewed with placements). The
 * node that runs a room or call allocates every device's endpoint, also of devices connected to
 * other nodes; a device is nearest the relays of its own node's region (a deployment puts a region's
 * signaling nodes and relays together, and a device reaches the signaling node its load balancer or
 * DNS found nearest), so its endpoint goes to that region (docs/cluster.md "Regions").
 */
final class NodeRegions {

    private final RedisCommands<String, String> redis;
    private final String self;
    private final String region;
    private final Duration ttl;
    /** Regions read of other nodes; a node keeps its region for its lifetime (its id changes on restart unless set). */
    private final Map<String, String> known = new ConcurrentHashMap<>();

    NodeRegions(RedisCommands<String, String> redis, String self, String region, Duration ttl) {
        this.redis = redis;
        this.self = self;
        this.region = region;
        this.ttl = ttl;
    }

    static String key(String node) {
        return "parley:signaling:" + node + ":region";
    }

    /** Publishes (or renews) this node's region; nothing when it has none or no node id. */
    void publish() {
        if (!self.isEmpty() && !region.isEmpty()) {
            redis.set(key(self), region, SetArgs.Builder.px(ttl.toMillis()));
        }
    }

    /** The region of {@code node}'s devices: this node's own for null, "" when unknown. */
    String of(String node) {
        if (node == null || node.equals(self)) {
            return region;
        }
        String r = known.get(node);
        if (r == null) {
            r = redis.get(key(node));
            if (r == null) {
                return ""; // not cached: a node that publishes later is found then
            }
            known.put(node, r);
        }
        return r;
    }
}
