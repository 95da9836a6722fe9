package org.parley.server.config;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigException;
import java.time.Duration;

/**
 * {@code parley.demo}: the sign-in links for demo users printed at start-up.
 *
 * @param signInLinks true for "auto" (printed unless the server is public), false: never
 * @param linkLifetime how long the links' tokens stay valid
 */
public record DemoConfig(boolean signInLinks, Duration linkLifetime) {

    static DemoConfig from(Config root) {
        String links = root.getString("parley.demo.sign-in-links");
        if (!links.equals("auto") && !links.equals("false")) {
            throw new ConfigException.BadValue(root.origin(), "parley.demo.sign-in-links",
                    "must be auto or false (links are never printed by a public server), got " + links);
        }
        Duration lifetime = root.getDuration("parley.demo.link-lifetime");
        if (lifetime.isZero() || lifetime.isNegative()) {
            throw new ConfigException.BadValue(root.origin(), "parley.demo.link-lifetime",
                    "must be positive, got " + lifetime);
        }
        return new DemoConfig(links.equals("auto"), lifetime);
    }
}
