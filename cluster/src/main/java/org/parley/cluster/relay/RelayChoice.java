package org.parley.cluster.relay;

import java.util.Collection;
import java.util.Comparator;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * Picks the relay for a new (or moving) conference: among relays that take conferences and are not
 * excluded, those in the preferred region if there are any, else all; of these the least loaded.
 * Load is compared as: a relay above {@link #BUSY_CPU} last, then fewest endpoints (counting the
 * conferences this node placed there since the relay last reported), then fewest packets per second.
 */
final class RelayChoice {

    /** CPU share above which a relay is chosen only when every other one is as busy. */
    static final double BUSY_CPU = 0.85;

    private RelayChoice() {
    }

    static Optional<RelayInfo> pick(Collection<RelayInfo> live, String preferredRegion, Set<String> excluded,
            Map<String, Integer> placedSinceReport) {
        boolean regional = !preferredRegion.isEmpty() && live.stream()
                .anyMatch(r -> usable(r, excluded) && preferredRegion.equals(r.region()));
        Comparator<RelayInfo> load = Comparator
                .comparingInt((RelayInfo r) -> r.load().cpu() > BUSY_CPU ? 1 : 0)
                .thenComparingInt(r -> r.load().endpoints() + placedSinceReport.getOrDefault(r.id(), 0))
                .thenComparingLong(r -> r.load().packetsPerSecond())
                .thenComparing(RelayInfo::id);
        return live.stream()
                .filter(r -> usable(r, excluded))
                .filter(r -> !regional || preferredRegion.equals(r.region()))
                .min(load);
    }

    private static boolean usable(RelayInfo r, Set<String> excluded) {
        return r.takesConferences() && !excluded.contains(r.id());
    }
}
