package org.parley.server.config;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigException;
import java.time.Duration;
import org.parley.cluster.ClusterConfig;
import org.parley.cluster.relay.RelayPoolConfig;
import org.parley.relay.RelayConfig;
import org.parley.signaling.SignalingConfig;
import org.parley.turn.TurnConfig;

/**
 * The whole process's settings, each part's read by that part's own record. A disabled part's
 * settings are still validated: an operator who turns it on later gets no surprise.
 */
public record ServerConfig(HttpConfig http, AuthConfig auth, Duration drainGracePeriod,
        Part<SignalingConfig> signaling, Part<RelayConfig> relay, Part<TurnConfig> turn,
        RemoteRelayConfig remoteRelay, DemoConfig demo, RelayPoolConfig relayPool, ClusterConfig cluster) {

    /** A part's settings and whether it runs in this process. */
    public record Part<T>(boolean enabled, T config) {
    }

    /** Reads and validates everything; throws {@link ConfigException} naming the first bad key. */
    public static ServerConfig from(Config root) {
        Duration grace = root.getDuration("parley.shutdown.drain-grace-period");
        if (grace.isNegative()) {
            throw new ConfigException.BadValue(root.origin(), "parley.shutdown.drain-grace-period",
                    "must not be negative");
        }
        boolean localRelay = root.getBoolean("parley.relay.enabled");
        ServerConfig config = new ServerConfig(HttpConfig.from(root), AuthConfig.from(root), grace,
                new Part<>(root.getBoolean("parley.signaling.enabled"), SignalingConfig.from(root)),
                new Part<>(localRelay, RelayConfig.from(root)),
                new Part<>(root.getBoolean("parley.turn.enabled"), TurnConfig.from(root)),
                RemoteRelayConfig.from(root, localRelay), DemoConfig.from(root), RelayPoolConfig.from(root),
                ClusterConfig.from(root));
        config.checkRelayPool(root);
        return config;
    }

    /**
     * In a relay pool, relays are driven through their control API (so it must be on) and found
     * through their registrations (so no fixed remote relay), and a relay must say where it is
     * reached when its listener is on every address.
     */
    private void checkRelayPool(Config root) {
        if (!relayPool.pooled()) {
            return;
        }
        if (remoteRelay.url().isPresent()) {
            throw new ConfigException.BadValue(root.origin(), "parley.remote-relay.url",
                    "not with parley.cluster.redis: signaling uses the relays registered in the pool");
        }
        if (relay.enabled()) {
            if (relay.config().apiSecret().isEmpty()) {
                throw new ConfigException.BadValue(root.origin(), "parley.relay.api-secret",
                        "missing: signaling nodes drive the pool's relays through their control API");
            }
            String host = http.host();
            if (relayPool.controlUrl().isEmpty() && (host.equals("0.0.0.0") || host.equals("::"))) {
                throw new ConfigException.BadValue(root.origin(), "parley.cluster.relays.control-url",
                        "missing: parley.http.host listens on every address, so say which one other nodes reach "
                        + "this relay's control API at (e.g. http://10.0.0.5:8080)");
            }
        }
        if (signaling.enabled() && relayPoolSecret().isEmpty()) {
            throw new ConfigException.BadValue(root.origin(), "parley.remote-relay.secret",
                    "missing: the pool's relays' parley.relay.api-secret");
        }
    }

    /** The secret the pool's relays' control APIs take: parley.remote-relay.secret, else this node's relay's. */
    public String relayPoolSecret() {
        return remoteRelay.secret().isEmpty() ? relay.config().apiSecret() : remoteRelay.secret();
    }
}
