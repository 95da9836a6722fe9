package org.parley.server.config;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigException;
import java.time.Duration;

/**
 * The HTTP listener: {@code parley.http}. Port 0 picks a free port (tests).
 *
 * @param headerTimeout time a new connection gets to send its first complete request
 * @param idleTimeout time a kept-alive connection may wait for its next request
 * @param maxConnections open connections at most, all sources together
 * @param maxConnectionsPerAddress open connections at most from one IPv4 address or IPv6 /64
 */
public record HttpConfig(String host, int port, Duration headerTimeout, Duration idleTimeout, int maxConnections,
        int maxConnectionsPerAddress) {

    static HttpConfig from(Config root) {
        int port = root.getInt("parley.http.port");
        if (port < 0 || port > 65535) {
            throw new ConfigException.BadValue(root.origin(), "parley.http.port",
                    "must be a port number between 0 and 65535, got " + port);
        }
        String host = root.getString("parley.http.host");
        if (host.isBlank()) {
            throw new ConfigException.BadValue(root.origin(), "parley.http.host", "must not be empty");
        }
        int max = positive(root, "parley.http.max-connections");
        int perAddress = positive(root, "parley.http.max-connections-per-address");
        if (perAddress > max) {
            throw new ConfigException.BadValue(root.origin(), "parley.http.max-connections-per-address",
                    "must not exceed parley.http.max-connections (" + max + "), got " + perAddress);
        }
        return new HttpConfig(host, port, positiveDuration(root, "parley.http.header-timeout"),
                positiveDuration(root, "parley.http.idle-timeout"), max, perAddress);
    }

    private static int positive(Config root, String key) {
        int n = root.getInt(key);
        if (n < 1) {
            throw new ConfigException.BadValue(root.origin(), key, "must be at least 1, got " + n);
        }
        return n;
    }

    private static Duration positiveDuration(Config root, String key) {
        Duration d = root.getDuration(key);
        if (d.isZero() || d.isNegative()) {
            throw new ConfigException.BadValue(root.origin(), key, "must be positive, got " + d);
        }
        return d;
    }
}
