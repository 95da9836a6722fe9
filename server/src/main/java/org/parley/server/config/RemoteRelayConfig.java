package org.parley.server.config;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigException;
import java.net.URI;
import java.net.URISyntaxException;
import java.time.Duration;
import java.util.Optional;

/**
 * A media relay on another host that this node's signaling drives through the relay's HTTP control
 * API: {@code parley.remote-relay}.
 *
 * @param url the relay node's HTTP origin, when one is configured
 * @param secret that relay's {@code parley.relay.api-secret}
 * @param connectTimeout how long a TCP connection to the relay may take
 * @param requestTimeout how long one relay request may take before it fails with relay_unavailable
 * @param watchInterval how often the relay's instance id is read (health, restart detection)
 */
public record RemoteRelayConfig(Optional<URI> url, String secret, Duration connectTimeout, Duration requestTimeout,
        Duration watchInterval) {

    static RemoteRelayConfig from(Config root, boolean localRelay) {
        String url = root.getString("parley.remote-relay.url");
        String secret = root.getString("parley.remote-relay.secret");
        Duration connect = positive(root, "parley.remote-relay.connect-timeout");
        Duration request = positive(root, "parley.remote-relay.request-timeout");
        Duration watch = positive(root, "parley.remote-relay.watch-interval");
        if (url.isBlank()) {
            return new RemoteRelayConfig(Optional.empty(), secret, connect, request, watch);
        }
        if (localRelay) {
            throw new ConfigException.BadValue(root.origin(), "parley.remote-relay.url",
                    "set only on nodes that run no relay of their own (parley.relay.enabled = false)");
        }
        URI uri;
        try {
            uri = new URI(url);
        } catch (URISyntaxException e) {
            throw new ConfigException.BadValue(root.origin(), "parley.remote-relay.url", "not a URL: " + url);
        }
        if (!("http".equals(uri.getScheme()) || "https".equals(uri.getScheme())) || uri.getHost() == null) {
            throw new ConfigException.BadValue(root.origin(), "parley.remote-relay.url",
                    "must be an http(s) origin such as http://10.0.0.5:8080, got " + url);
        }
        if (secret.isEmpty()) {
            throw new ConfigException.BadValue(root.origin(), "parley.remote-relay.secret",
                    "missing: the remote relay's parley.relay.api-secret");
        }
        return new RemoteRelayConfig(Optional.of(uri), secret, connect, request, watch);
    }

    private static Duration positive(Config root, String key) {
        Duration d = root.getDuration(key);
        if (d.isZero() || d.isNegative()) {
            throw new ConfigException.BadValue(root.origin(), key, "must be positive, got " + d);
        }
        return d;
    }
}
