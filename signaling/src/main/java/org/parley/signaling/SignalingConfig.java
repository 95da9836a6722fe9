package org.parley.signaling;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigException;

/**
 * Settings of call control, read from {@code parley.signaling} (see reference.conf for defaults).
 *
 * @param maxFrameBytes largest WebSocket message accepted
 */
public record SignalingConfig(int maxFrameBytes) {

    /** Reads and validates {@code parley.signaling}; errors name the full key. */
    public static SignalingConfig from(Config root) {
        Config c = root.getConfig("parley.signaling");
        int maxFrame = c.getInt("max-frame-bytes");
        if (maxFrame < 1024) {
            throw new ConfigException.BadValue(c.origin(), "parley.signaling.max-frame-bytes",
                    "must be at least 1024, got " + maxFrame);
        }
        return new SignalingConfig(maxFrame);
    }
}
