package org.parley.server.config;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigException;

/** The HTTP listener: {@code parley.http}. Port 0 picks a free port (tests). */
public record HttpConfig(String host, int port) {

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
        return new HttpConfig(host, port);
    }
}
