package org.parley.relay;

import com.typesafe.config.ConfigFactory;

/**
 * ice4j reads its settings through Typesafe Config (system properties win). These are set before
 * any ice4j class loads: no AWS metadata probe (an HTTP call to a link-local address at start-up),
 * no IPv6 or link-local host candidates, no STUN mapping servers, an 8 MiB receive buffer on the
 * shared UDP port. Operators may override any of them with {@code -Dice4j...}.
 */
public final class Ice4jSettings {

    private Ice4jSettings() {
    }

    public static synchronized void apply() {
        setIfAbsent("ice4j.harvest.mapping.aws.enabled", "false");
        setIfAbsent("ice4j.harvest.use-ipv6", "false");
        setIfAbsent("ice4j.harvest.use-link-local-addresses", "false");
        // The shared UDP port carries every endpoint's media: a larger socket receive buffer
        // (SO_RCVBUF; Linux caps it at net.core.rmem_max) absorbs the moments the harvester
        // thread is off a core, which the default (~208 KiB, ~200 video packets) did not: the
        // load benchmark lost 16% of its packets in the kernel (Udp RcvbufErrors) on a busy host.
        setIfAbsent("ice4j.harvest.udp.receive-buffer-size", Integer.toString(8 * 1024 * 1024));
        // The relay decides the addresses; ice4j's consent-freshness stays on for client agents.
        ConfigFactory.invalidateCaches();
    }

    private static void setIfAbsent(String key, String value) {
        if (System.getProperty(key) == null) {
            System.setProperty(key, value);
        }
    }
}
