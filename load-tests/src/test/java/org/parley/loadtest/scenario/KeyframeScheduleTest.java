package org.parley.loadtest.scenario;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class KeyframeScheduleTest {

    private static final long MS = 1_000_000L;

    /** Frame times (ms) at which a keyframe is due, for frames every {@code periodMs} until {@code untilMs}. */
    private static List<Long> keyframesAt(KeyframeSchedule k, long startMs, long periodMs, long untilMs) {
        List<Long> at = new ArrayList<>();
        for (long t = startMs; t < untilMs; t += periodMs) {
            if (k.due(t * MS)) {
                at.add(t - startMs);
            }
        }
        return at;
    }

    @Test
    void firstFrameThenOneKeyframePerIntervalAt30Fps() {
        // 30 fps: a frame every 33 ms; 2 s interval over 10 s gives keyframes at 0, 2, 4, 6, 8 s,
        // each on the first frame at or after the grid point.
        List<Long> at = keyframesAt(new KeyframeSchedule(2000 * MS), 5_000, 33, 15_000);
        assertEquals(5, at.size(), at.toString());
        for (int i = 0; i < at.size(); i++) {
            assertTrue(at.get(i) >= i * 2000L && at.get(i) < i * 2000L + 33, "keyframe " + i + " at " + at.get(i));
        }
    }

    @Test
    void theGridDoesNotDriftWithTheFramePeriod() {
        // Frames every 70 ms do not divide 1000 ms: keyframes still average one per second.
        List<Long> at = keyframesAt(new KeyframeSchedule(1000 * MS), 0, 70, 60_000);
        assertEquals(60, at.size(), "one a second over a minute");
    }

    @Test
    void aStallLongerThanAnIntervalRestartsTheGrid() {
        KeyframeSchedule k = new KeyframeSchedule(1000 * MS);
        assertTrue(k.due(0));
        assertFalse(k.due(500 * MS));
        assertTrue(k.due(4_200 * MS), "first frame after a 3.7 s stall");
        assertFalse(k.due(5_000 * MS), "next one an interval after the stall, not on the old grid");
        assertTrue(k.due(5_200 * MS));
    }

    @Test
    void zeroIntervalGivesOnlyTheFirstKeyframe() {
        List<Long> at = keyframesAt(new KeyframeSchedule(0), 0, 33, 20_000);
        assertEquals(List.of(0L), at);
    }
}
