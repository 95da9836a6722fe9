package org.parley.turn;

import com.typesafe.config.ConfigFactory;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Clock;

/**
 * Runs the TURN server alone from {@code parley.turn} (system properties override reference.conf),
 * for scripts/turn-bench.sh and manual runs: {@code java -cp ... org.parley.turn.TurnServerMain}.
 */
public final class TurnServerMain {
    private TurnServerMain() {
    }

    public static void main(String[] args) throws Exception {
        TurnConfig config = TurnConfig.from(ConfigFactory.load());
        SimpleMeterRegistry registry = new SimpleMeterRegistry();
        TurnServer server = new TurnServer(config, registry, Clock.systemUTC());
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            // The meters on exit, one per line, for scripts (scripts/turn-bench.sh reads them).
            registry.getMeters().forEach(m -> m.measure().forEach(ms -> System.out.println("meter "
                    + m.getId().getName() + m.getId().getTags() + " " + ms.getValue())));
            server.close();
        }));
        server.start().forEach(System.out::println);
        System.out.flush();
        Thread.currentThread().join();
    }
}
