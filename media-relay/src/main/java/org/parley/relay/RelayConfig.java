package org.parley.relay;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigException;

/**
 * Settings of the media relay, read from {@code parley.relay} (see reference.conf for defaults).
 *
 * @param bindAddress address the ICE listeners bind to
 * @param udpPort the single UDP port shared by all endpoints; 0 picks a free one (tests)
 * @param tcpPort the ICE-TCP port; 0 picks a free one (tests)
 */
public record RelayConfig(String bindAddress, int udpPort, int tcpPort) {

    /** Reads and validates {@code parley.relay}; errors name the full key. */
    public static RelayConfig from(Config root) {
        Config c = root.getConfig("parley.relay");
        return new RelayConfig(c.getString("bind-address"), port(c, "udp-port"), port(c, "tcp-port"));
    }

    private static int port(Config c, String key) {
        int port = c.getInt(key);
        if (port < 0 || port > 65535) {
            throw new ConfigException.BadValue(c.origin(), "parley.relay." + key,
                    "must be a port number between 0 and 65535, got " + port);
        }
        return port;
    }
}
