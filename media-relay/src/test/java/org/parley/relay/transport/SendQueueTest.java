package org.parley.relay.transport;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.parley.relay.RelayMetrics;

/**
 * The send queue's policy, with the drain task run by hand: what a full queue refuses, in which
 * order packets leave, and when a UDP write skips the queue. SlowReceiverTest proves the same
 * through the real relay and a real ICE-TCP connection.
 */
class SendQueueTest {

    private final List<Integer> wire = new ArrayList<>();
    private final ArrayDeque<Runnable> tasks = new ArrayDeque<>();
    private final SimpleMeterRegistry registry = new SimpleMeterRegistry();
    private final RelayMetrics metrics = new RelayMetrics(registry, () -> 0, () -> 0);
    private final SendQueue queue = new SendQueue(8, (b, off, len) -> wire.add((int) b[off]), tasks::add, metrics);

    private boolean send(int id, SendKind kind, boolean direct) {
        return queue.send(new byte[] {(byte) id, 0, 0, 0}, 0, 4, kind, direct);
    }

    private double drops(SendKind kind) {
        return registry.get("parley_relay_dropped_packets").tag("reason", "receiver_queue_full")
                .tag("kind", kind.label()).counter().count();
    }

    @Test
    void aFullQueueRefusesVideoFirstAndAudioOnlyWhenCompletelyFull() {
        for (int i = 0; i < 6; i++) {
            assertTrue(send(i, SendKind.VIDEO, false), "video fills 3/4 of the bound");
        }
        assertFalse(send(6, SendKind.VIDEO, false), "video past 3/4 is refused");
        assertTrue(send(7, SendKind.AUDIO, false));
        assertTrue(send(8, SendKind.RTCP, false));
        assertFalse(send(9, SendKind.AUDIO, false), "audio is refused only when the queue is full");
        assertEquals(1.0, drops(SendKind.VIDEO));
        assertEquals(1.0, drops(SendKind.AUDIO));
        assertEquals(0.0, drops(SendKind.RTCP));

        assertEquals(1, tasks.size(), "one drain task for the whole backlog");
        tasks.poll().run();
        assertEquals(List.of(0, 1, 2, 3, 4, 5, 7, 8), wire, "what was queued leaves in order");
        assertEquals(0, queue.size());
    }

    @Test
    void udpWritesAtOnceWhileNothingWaitsAndQueuesBehindWhatDoes() {
        assertTrue(send(1, SendKind.VIDEO, true));
        assertEquals(List.of(1), wire, "written on the calling thread");
        assertTrue(tasks.isEmpty());

        assertTrue(send(2, SendKind.VIDEO, false));
        assertTrue(send(3, SendKind.AUDIO, true));
        assertEquals(List.of(1), wire, "a direct packet waits behind a queued one");
        tasks.poll().run();
        assertEquals(List.of(1, 2, 3), wire);

        assertTrue(send(4, SendKind.AUDIO, true));
        assertEquals(List.of(1, 2, 3, 4), wire, "direct again once the queue is empty");
    }

    @Test
    void aClosedQueueForgetsItsBacklogAndTakesNothingMore() {
        assertTrue(send(1, SendKind.VIDEO, false));
        queue.close();
        assertFalse(send(2, SendKind.AUDIO, false));
        tasks.poll().run();
        assertEquals(List.of(), wire);
    }
}
