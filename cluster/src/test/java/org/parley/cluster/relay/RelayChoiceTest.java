package org.parley.cluster.relay;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URI;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** Where a new conference goes: the least loaded relay of the preferred region that takes conferences. */
class RelayChoiceTest {

    private static RelayInfo relay(String id, String region, int endpoints, long pps, double cpu, boolean draining) {
        return new RelayInfo(id, URI.create("http://127.0.0.1:1"), region, new RelayLoad(endpoints, pps, cpu),
                draining, 0);
    }

    private static String pick(List<RelayInfo> live, String region, Set<String> excluded, Map<String, Integer> placed) {
        return RelayChoice.pick(live, region, excluded, placed).map(RelayInfo::id).orElse("none");
    }

    @Test
    void leastLoadedInThePreferredRegion() {
        List<RelayInfo> live = List.of(relay("eu-busy", "eu", 40, 9000, 0.3, false),
                relay("eu-quiet", "eu", 10, 2000, 0.1, false), relay("us-idle", "us", 0, 0, 0.0, false));
        assertEquals("eu-quiet", pick(live, "eu", Set.of(), Map.of()));
        assertEquals("us-idle", pick(live, "", Set.of(), Map.of()), "no preference: the least loaded anywhere");
        assertEquals("us-idle", pick(live, "ap", Set.of(), Map.of()), "none in the region: any region");
    }

    @Test
    void drainingExcludedAndBusyCpuRelaysAreLeftOut() {
        List<RelayInfo> live = List.of(relay("a", "", 0, 0, 0.0, true), relay("b", "", 1, 0, 0.95, false),
                relay("c", "", 5, 0, 0.2, false), relay("d", "", 2, 0, 0.2, false));
        assertEquals("d", pick(live, "", Set.of(), Map.of()));
        assertEquals("c", pick(live, "", Set.of("d"), Map.of()));
        assertEquals("b", pick(live, "", Set.of("c", "d"), Map.of()), "a busy relay beats none");
        assertEquals("none", pick(live, "", Set.of("b", "c", "d"), Map.of()), "a draining relay takes nothing");
    }

    @Test
    void conferencesPlacedSinceTheLastReportCount() {
        List<RelayInfo> live = List.of(relay("a", "", 3, 0, 0.1, false), relay("b", "", 4, 0, 0.1, false));
        assertEquals("a", pick(live, "", Set.of(), Map.of()));
        assertEquals("b", pick(live, "", Set.of(), Map.of("a", 2)));
        assertTrue(pick(live, "eu", Set.of(), Map.of()).equals("a"));
    }
}
