package org.parley.relay;

import com.typesafe.config.ConfigFactory;

/**
 * ice4j reads its settings through Typesafe Config (system properties win). These are set before
 * any ice4j class loads: no AWS metadata probe (an HTTP call to a link-local address at start-up),
 * no IPv6 or link-local host candidates, no STUN mapping servers.
 */
public final class Ice4jSettings {

    private Ice4jSettings() {
    }

    public static synchronized void apply() {
        setIfAbsent("ice4j.harvest.mapping.aws.enabled", "false");
        setIfAbsent("ice4j.harvest.use-ipv6", "false");
        setIfAbsent("ice4j.harvest.use-link-local-addresses", "false");
        // The relay decides the addresses; ice4j's consent-freshness stays on for client agents.
        ConfigFactory.invalidateCaches();
    }

    private static void setIfAbsent(String key, String value) {
        if (System.getProperty(key) == null) {
            System.setProperty(key, value);
        }
    }
}
