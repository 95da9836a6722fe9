package org.parley.signaling.session;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

/** What a resume can replay (docs/protocol.md §4). */
class EventLogTest {

    private static EventLog logWith(int capacity, int events) {
        EventLog log = new EventLog(capacity);
        for (int i = 1; i <= events; i++) {
            log.append(i, "e" + i);
        }
        return log;
    }

    @Test
    void replaysEverythingAfterLastSeqInOrder() {
        EventLog log = logWith(10, 5);
        assertEquals(List.of("e3", "e4", "e5"), log.since(2).orElseThrow());
        assertEquals(List.of(), log.since(5).orElseThrow());
    }

    @Test
    void acknowledgedEventsAreForgotten() {
        EventLog log = logWith(10, 5);
        log.ack(3);
        assertEquals(2, log.size());
        assertEquals(List.of("e4", "e5"), log.since(3).orElseThrow());
    }

    @Test
    void aFullLogCannotReplayWhatItDropped() {
        EventLog log = logWith(3, 5);
        assertTrue(log.since(1).isEmpty(), "e2 was dropped");
        assertEquals(List.of("e3", "e4", "e5"), log.since(2).orElseThrow());
    }

    @Test
    void aSeqFromTheFutureIsRefused() {
        assertTrue(logWith(3, 2).since(3).isEmpty());
        assertTrue(logWith(3, 2).since(-1).isEmpty());
    }
}
