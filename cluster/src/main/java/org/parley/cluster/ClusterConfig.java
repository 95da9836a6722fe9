package org.parley.cluster;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigException;
import io.lettuce.core.RedisURI;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.HexFormat;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * {@code parley.cluster}: whether this node is one of a cluster and how it keeps in touch.
 *
 * @param redis the Redis shared by the cluster; empty: this process is alone
 * @param nodeId this node's id in the cluster
 * @param heartbeatInterval how often the heartbeat key is refreshed and the others' read
 * @param nodeTimeout the heartbeat key's time to live: a node silent this long is dead
 * @param presenceTtl how long a presence entry lives without a refresh
 * @param requestTimeout how long a forwarded request waits for the owning node's answer
 */
public record ClusterConfig(Optional<RedisURI> redis, String nodeId, Duration heartbeatInterval,
        Duration nodeTimeout, Duration presenceTtl, Duration requestTimeout) {

    private static final Pattern NODE_ID = Pattern.compile("[A-Za-z0-9._-]{1,64}");

    /** Reads and validates {@code parley.cluster}; throws {@link ConfigException} naming the bad key. */
    public static ClusterConfig from(Config root) {
        String url = root.getString("parley.cluster.redis");
        Optional<RedisURI> redis = Optional.empty();
        if (!url.isBlank()) {
            try {
                redis = Optional.of(RedisURI.create(url));
            } catch (RuntimeException e) {
                throw new ConfigException.BadValue(root.origin(), "parley.cluster.redis",
                        "not a Redis URL such as redis://10.0.0.7:6379: " + e.getMessage());
            }
        }
        String node = root.getString("parley.cluster.node-id");
        if (node.isEmpty()) {
            byte[] b = new byte[6];
            new SecureRandom().nextBytes(b);
            node = "n-" + HexFormat.of().formatHex(b);
        } else if (!NODE_ID.matcher(node).matches()) {
            throw new ConfigException.BadValue(root.origin(), "parley.cluster.node-id",
                    "must be 1-64 characters of [A-Za-z0-9._-], got '" + node + "'");
        }
        Duration heartbeat = positive(root, "parley.cluster.heartbeat-interval");
        Duration timeout = positive(root, "parley.cluster.node-timeout");
        if (timeout.compareTo(heartbeat.multipliedBy(2)) < 0) {
            throw new ConfigException.BadValue(root.origin(), "parley.cluster.node-timeout",
                    "must be at least two heartbeat-intervals (" + heartbeat.multipliedBy(2) + "), got " + timeout);
        }
        Duration presence = positive(root, "parley.cluster.presence-ttl");
        if (presence.compareTo(heartbeat.multipliedBy(3)) < 0) {
            throw new ConfigException.BadValue(root.origin(), "parley.cluster.presence-ttl",
                    "must be at least three heartbeat-intervals (" + heartbeat.multipliedBy(3) + "), got " + presence);
        }
        return new ClusterConfig(redis, node, heartbeat, timeout, presence,
                positive(root, "parley.cluster.request-timeout"));
    }

    private static Duration positive(Config root, String key) {
        Duration d = root.getDuration(key);
        if (d.isZero() || d.isNegative()) {
            throw new ConfigException.BadValue(root.origin(), key, "must be positive, got " + d);
        }
        return d;
    }
}
