package org.parley.server.config;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigException;
import java.time.Duration;
import org.parley.relay.RelayConfig;
import org.parley.signaling.SignalingConfig;
import org.parley.turn.TurnConfig;

/**
 * The whole process's settings, each part's read by that part's own record. A disabled part's
 * settings are still validated: an operator who turns it on later gets no surprise.
 */
public record ServerConfig(HttpConfig http, AuthConfig auth, Duration drainGracePeriod,
        Part<SignalingConfig> signaling, Part<RelayConfig> relay, Part<TurnConfig> turn,
        RemoteRelayConfig remoteRelay, DemoConfig demo) {

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
        return new ServerConfig(HttpConfig.from(root), AuthConfig.from(root), grace,
                new Part<>(root.getBoolean("parley.signaling.enabled"), SignalingConfig.from(root)),
                new Part<>(localRelay, RelayConfig.from(root)),
                new Part<>(root.getBoolean("parley.turn.enabled"), TurnConfig.from(root)),
                RemoteRelayConfig.from(root, localRelay), DemoConfig.from(root));
    }
}
