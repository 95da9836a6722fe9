package org.parley.cluster.relay;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Tells the relay pool's listeners what moved to other relays (whole conferences, or the endpoints
 * of a spread conference that were on a linked relay left), and counts the moves. A listener that
 * throws is logged; the others still hear of the move.
 */
final class PoolMoves {

    private static final Logger LOG = LoggerFactory.getLogger(PoolMoves.class);

    private final List<Consumer<Set<String>>> conferenceListeners = new CopyOnWriteArrayList<>();
    private final List<Consumer<Map<String, Set<String>>>> endpointListeners = new CopyOnWriteArrayList<>();
    private final MeterRegistry registry;

    PoolMoves(MeterRegistry registry) {
        this.registry = registry;
    }

    void onConferencesMoved(Consumer<Set<String>> listener) {
        conferenceListeners.add(listener);
    }

    void onEndpointsMoved(Consumer<Map<String, Set<String>>> listener) {
        endpointListeners.add(listener);
    }

    /** Conferences placed on another relay because theirs was left for {@code reason}. */
    void conferencesMoved(String reason, Set<String> conferences) {
        count(reason, conferences.size());
        tell(conferenceListeners, Set.copyOf(conferences));
    }

    /** Endpoints, by conference, to be made again because the linked relay they were on was left. */
    void endpointsMoved(Map<String, Set<String>> endpoints) {
        count("linked_relay", endpoints.size());
        Counter.builder("parley.relay.pool.endpoint.moves")
                .description("Endpoints moved off a linked relay that was left (the others stay where they are)")
                .register(registry).increment(endpoints.values().stream().mapToInt(Set::size).sum());
        tell(endpointListeners, Map.copyOf(endpoints));
    }

    private void count(String reason, int conferences) {
        Counter.builder("parley.relay.pool.moves").tag("reason", reason)
                .description("Conferences moved to another relay, by why their relay was left")
                .register(registry).increment(conferences);
    }

    private static <T> void tell(List<Consumer<T>> listeners, T moved) {
        for (Consumer<T> l : listeners) {
            try {
                l.accept(moved);
            } catch (RuntimeException x) {
                LOG.error("relay move listener failed", x);
            }
        }
    }
}
