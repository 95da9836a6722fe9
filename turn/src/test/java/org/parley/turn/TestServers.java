package org.parley.turn;

import com.typesafe.config.ConfigFactory;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.net.InetSocketAddress;
import java.time.Clock;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/** Starts TURN servers on free loopback ports with test settings. */
final class TestServers {
    static final String SECRET = "secret";

    private TestServers() {
    }

    /** Loopback, free ports, REST secret "secret", realm "test", loopback peers allowed unless overridden. */
    static TurnConfig config(Map<String, Object> overrides) {
        Map<String, Object> m = new HashMap<>();
        m.put("parley.turn.listening-ip", "127.0.0.1");
        m.put("parley.turn.listening-port", 0);
        m.put("parley.turn.tls-listening-port", 0);
        m.put("parley.turn.realm", "test");
        m.put("parley.turn.static-auth-secret", SECRET);
        m.put("parley.turn.allow-loopback-peers", true);
        m.put("parley.turn.min-port", 40000 + (int) (ProcessHandle.current().pid() % 200) * 100);
        m.put("parley.turn.max-port", (int) m.get("parley.turn.min-port") + 2999);
        m.putAll(overrides);
        return TurnConfig.from(ConfigFactory.parseMap(m).withFallback(ConfigFactory.defaultReference()).resolve());
    }

    record Running(TurnServer server, SimpleMeterRegistry registry, List<String> lines) implements AutoCloseable {
        /** The address of the listener whose line starts with "turn {kind} ". */
        InetSocketAddress address(String kind) {
            return address(kind, false);
        }

        /** The listener of that kind on IPv6 (::1) or IPv4. */
        InetSocketAddress address(String kind, boolean ipv6) {
            for (String line : lines) {
                if (line.startsWith("turn " + kind + " ") && line.contains("[") == ipv6) {
                    String a = line.substring(("turn " + kind + " ").length());
                    int colon = a.lastIndexOf(':');
                    String host = a.substring(0, colon).replace("[", "").replace("]", "");
                    return new InetSocketAddress(host, Integer.parseInt(a.substring(colon + 1)));
                }
            }
            throw new IllegalStateException("no " + kind + " listener in " + lines);
        }

        double meter(String name, String... tags) {
            var search = registry.find(name).tags(tags);
            if (search.counter() != null) {
                return search.counter().count();
            }
            if (search.gauge() != null) {
                return search.gauge().value();
            }
            if (search.functionCounter() != null) {
                return search.functionCounter().count();
            }
            return 0;
        }

        @Override
        public void close() {
            server.close();
        }
    }

    static Running start(TurnConfig config, Clock clock) throws InterruptedException {
        SimpleMeterRegistry registry = new SimpleMeterRegistry();
        TurnServer server = new TurnServer(config, registry, clock);
        return new Running(server, registry, server.start());
    }
}
