package org.parley.loadtest.target;

import java.net.URI;
import java.net.URISyntaxException;

/**
 * The one server a run talks to: its signaling WebSocket URL and the /metrics URL on the same
 * host and port. The tool never connects anywhere else (media goes where that server's relay
 * tells it to).
 */
public record Target(URI signaling, URI metrics) {

    /** From {@code --url}: must be {@code ws://} or {@code wss://} with a host. */
    public static Target of(String url) {
        URI uri;
        try {
            uri = new URI(url);
        } catch (URISyntaxException e) {
            throw new IllegalArgumentException("--url: not a URL: " + url);
        }
        String scheme = uri.getScheme();
        if (!"ws".equals(scheme) && !"wss".equals(scheme)) {
            throw new IllegalArgumentException("--url: must start with ws:// or wss://, got " + url);
        }
        if (uri.getHost() == null) {
            throw new IllegalArgumentException("--url: no host in " + url);
        }
        String http = "ws".equals(scheme) ? "http" : "https";
        int port = uri.getPort();
        URI metrics = URI.create(http + "://" + hostForUri(uri.getHost()) + (port < 0 ? "" : ":" + port) + "/metrics");
        return new Target(uri, metrics);
    }

    private static String hostForUri(String host) {
        return host.contains(":") && !host.startsWith("[") ? "[" + host + "]" : host;
    }

    public String host() {
        return signaling.getHost();
    }
}
