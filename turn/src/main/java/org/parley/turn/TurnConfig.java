package org.parley.turn;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigException;

/**
 * Settings of the TURN server, read from {@code parley.turn} (see reference.conf for defaults).
 *
 * @param listeningIp address the listeners bind to
 * @param listeningPort UDP and TCP port; 0 picks a free one (tests)
 */
public record TurnConfig(String listeningIp, int listeningPort) {

    /** Reads and validates {@code parley.turn}; errors name the full key. */
    public static TurnConfig from(Config root) {
        Config c = root.getConfig("parley.turn");
        int port = c.getInt("listening-port");
        if (port < 0 || port > 65535) {
            throw new ConfigException.BadValue(c.origin(), "parley.turn.listening-port",
                    "must be a port number between 0 and 65535, got " + port);
        }
        return new TurnConfig(c.getString("listening-ip"), port);
    }
}
