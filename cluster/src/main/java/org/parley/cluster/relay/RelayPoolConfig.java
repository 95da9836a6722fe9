package org.parley.cluster.relay;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigException;
import java.net.URI;
import java.net.URISyntaxException;
import java.time.Duration;
import java.util.Optional;

/**
 * The relay pool's settings: {@code parley.cluster.redis}, {@code parley.relay.region} and
 * {@code parley.cluster.relays} (cluster's reference.conf says why each default).
 *
 * @param redis the Redis the pool lives in; empty: no pool (one relay, as without a cluster)
 * @param region the region tag a relay registers
 * @param controlUrl the HTTP origin other nodes reach this relay's control API at; empty: this
 *        node's own HTTP listener
 * @param refreshInterval how often a relay refreshes its registration
 * @param ttl how long a registration outlives its last refresh
 * @param preferredRegion the region a signaling node places conferences in when it has relays, and
 *        with relays of several regions that of its devices' endpoints (docs/cluster.md "Regions")
 * @param checkInterval how often a signaling node checks the relays its conferences are on
 * @param placementTtl how long a conference's placement outlives the last node that used it
 * @param maxEndpointsPerRelay endpoints of one conference on one relay before the next goes to a
 *        linked relay (cascading); 0: a conference stays whole on one relay
 */
public record RelayPoolConfig(Optional<URI> redis, String region, Optional<URI> controlUrl, Duration refreshInterval,
        Duration ttl, String preferredRegion, Duration checkInterval, Duration placementTtl,
        int maxEndpointsPerRelay) {

    /** A conference whole on one relay. */
    public RelayPoolConfig(Optional<URI> redis, String region, Optional<URI> controlUrl, Duration refreshInterval,
            Duration ttl, String preferredRegion, Duration checkInterval, Duration placementTtl) {
        this(redis, region, controlUrl, refreshInterval, ttl, preferredRegion, checkInterval, placementTtl, 0);
    }

    public static RelayPoolConfig from(Config root) {
        Optional<URI> redis = url(root, "parley.cluster.redis", "redis", "rediss", "redis-sentinel");
        Duration refresh = positive(root, "parley.cluster.relays.refresh-interval");
        Duration ttl = positive(root, "parley.cluster.relays.ttl");
        if (ttl.compareTo(refresh.multipliedBy(2)) < 0) {
            throw new ConfigException.BadValue(root.origin(), "parley.cluster.relays.ttl",
                    "must be at least twice parley.cluster.relays.refresh-interval (" + refresh
                    + "), or one late refresh drops a live relay");
        }
        int perRelay = root.getInt("parley.cluster.relays.max-endpoints-per-relay");
        if (perRelay < 0) {
            throw new ConfigException.BadValue(root.origin(), "parley.cluster.relays.max-endpoints-per-relay",
                    "must be 0 (a conference stays on one relay) or a positive count, got " + perRelay);
        }
        return new RelayPoolConfig(redis, root.getString("parley.relay.region"),
                url(root, "parley.cluster.relays.control-url", "http", "https"), refresh, ttl,
                root.getString("parley.cluster.relays.preferred-region"),
                positive(root, "parley.cluster.relays.check-interval"),
                positive(root, "parley.cluster.relays.placement-ttl"), perRelay);
    }

    /** Whether relays form a pool in Redis. */
    public boolean pooled() {
        return redis.isPresent();
    }

    private static Optional<URI> url(Config root, String key, String... schemes) {
        String text = root.getString(key);
        if (text.isBlank()) {
            return Optional.empty();
        }
        try {
            URI uri = new URI(text);
            for (String scheme : schemes) {
                if (scheme.equals(uri.getScheme()) && (uri.getHost() != null || scheme.startsWith("redis"))) {
                    return Optional.of(uri);
                }
            }
        } catch (URISyntaxException e) {
            // reported below
        }
        throw new ConfigException.BadValue(root.origin(), key,
                "must be a " + String.join(" / ", schemes) + " URL with a host, got " + text);
    }

    private static Duration positive(Config root, String key) {
        Duration d = root.getDuration(key);
        if (d.isZero() || d.isNegative()) {
            throw new ConfigException.BadValue(root.origin(), key, "must be positive, got " + d);
        }
        return d;
    }
}
