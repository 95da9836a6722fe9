package org.parley.loadtest.stats;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.parley.loadtest.report.LayerTable;

class ReceivedLayersTest {

    private static final long S = 1_000_000_000L;

    @Test
    void eachSecondShowsTheLayerMostPacketsCameFromAndTheRate() {
        long start = 5 * S;
        ReceivedLayers r = new ReceivedLayers(start);
        r.record("alice", 2, 1000, start + S / 2);
        r.record("alice", 2, 1000, start + S / 2);
        // second 1: nothing; second 2: a switch down, mostly the low layer already
        r.record("alice", 2, 1000, start + 2 * S);
        r.record("alice", 0, 250, start + 2 * S + 1);
        r.record("alice", 0, 250, start + 2 * S + 2);
        r.record("alice", 0, 250, start + 3 * S);
        r.record("alice", 7, 250, start + 3 * S); // no such layer: ignored
        r.record("bob", 1, 500, start + 1);
        Map<String, Map<String, Object>> t = r.timelines();
        assertEquals("2-00", t.get("alice").get("layers"));
        assertEquals(List.of(16L, 0L, 12L, 2L), t.get("alice").get("kbit/s"));
        assertEquals("1", t.get("bob").get("layers"));
    }

    @Test
    void theTableHasALinePerReceiverAndPublisher() {
        ReceivedLayers r = new ReceivedLayers(0);
        for (int s = 0; s < 8; s++) {
            r.record("p0", s < 3 ? 2 : 0, 1250, s * S);
        }
        List<String> lines = LayerTable.lines(Map.of("p1", r.timelines()), Map.of());
        assertEquals(4, lines.size(), String.join("\n", lines));
        String row = lines.get(2);
        assertEquals(true, row.startsWith("p1 "), row);
        assertEquals(true, row.endsWith(" 10         -  22200000"), "mean of the last 5 s: 10 kbit/s, no estimate; " + row);
        String withEstimate = LayerTable.lines(Map.of("p1", r.timelines()),
                Map.of("p1", List.of(900L, 800L, -1L, 400L, 400L, 400L, -1L))).get(2);
        assertEquals(true, withEstimate.endsWith(" 10       400  22200000"), "unread seconds left out: " + withEstimate);
    }
}
