package org.parley.server.config;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigException;
import com.typesafe.config.ConfigValueType;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.parley.turn.AddressRange;

/**
 * The HTTP listener: {@code parley.http}. Port 0 picks a free port (tests).
 *
 * @param headerTimeout time a new connection gets to send its first complete request
 * @param idleTimeout time a kept-alive connection may wait for its next request
 * @param maxConnections open connections at most, all sources together
 * @param maxConnectionsPerAddress open connections at most from one IPv4 address or IPv6 /64
 * @param tls HTTPS settings; empty: the listener speaks plain HTTP
 * @param redirectPort port of a plain-HTTP listener that only redirects to HTTPS; -1: none, 0: any free one
 * @param trustedProxies peers whose X-Forwarded-For names the client (reverse proxies); empty: none
 */
public record HttpConfig(String host, int port, Duration headerTimeout, Duration idleTimeout, int maxConnections,
        int maxConnectionsPerAddress, Optional<TlsConfig> tls, int redirectPort, List<AddressRange> trustedProxies) {

    /** {@code redirect-port} value for "no redirect listener". */
    public static final int NO_REDIRECT = -1;

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
        Optional<TlsConfig> tls = TlsConfig.from(root);
        int redirectPort = root.getInt("parley.http.redirect-port");
        if (redirectPort != NO_REDIRECT) {
            if (redirectPort < 0 || redirectPort > 65535) {
                throw new ConfigException.BadValue(root.origin(), "parley.http.redirect-port",
                        "must be -1 (off) or a port number between 0 and 65535, got " + redirectPort);
            }
            if (tls.isEmpty()) {
                throw new ConfigException.BadValue(root.origin(), "parley.http.redirect-port",
                        "redirects to HTTPS, so it needs " + TlsConfig.CERTIFICATE + " set");
            }
            if (redirectPort != 0 && redirectPort == port) {
                throw new ConfigException.BadValue(root.origin(), "parley.http.redirect-port",
                        "must differ from parley.http.port (" + port + ")");
            }
        }
        return new HttpConfig(host, port, positiveDuration(root, "parley.http.header-timeout"),
                positiveDuration(root, "parley.http.idle-timeout"), max, perAddress, tls, redirectPort,
                trustedProxies(root));
    }

    /** True when the listener speaks HTTPS. */
    public boolean https() {
        return tls.isPresent();
    }

    /**
     * A list, or one string ({@code -Dparley.http.trusted-proxies=10.0.0.5,10.0.1.0/24}); commas
     * separate entries in either, as no address or range contains one.
     */
    private static List<AddressRange> trustedProxies(Config root) {
        String key = "parley.http.trusted-proxies";
        List<String> entries = root.getValue(key).valueType() == ConfigValueType.STRING
                ? List.of(root.getString(key)) : root.getStringList(key);
        List<AddressRange> ranges = new ArrayList<>();
        for (String entry : entries) {
            for (String part : entry.split(",")) {
                if (part.isBlank()) {
                    continue;
                }
                try {
                    ranges.add(AddressRange.parse(part));
                } catch (IllegalArgumentException e) {
                    throw new ConfigException.BadValue(root.origin(), key, e.getMessage());
                }
            }
        }
        return List.copyOf(ranges);
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
