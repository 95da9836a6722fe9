package org.parley.signaling.session;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * The events of one session not yet acknowledged, each with its sequence number, so a resumed
 * client gets exactly the events it missed, in order (docs/protocol.md §4). Bounded: when full the
 * oldest is dropped and a resume from before it is no longer possible.
 */
final class EventLog {

    private record Entry(long seq, String json) {
    }

    private final ArrayDeque<Entry> entries = new ArrayDeque<>();
    private final int capacity;
    private long nextSeq = 1;
    /** Highest seq dropped without an ack (because the log was full). */
    private long lostUpTo;

    EventLog(int capacity) {
        this.capacity = capacity;
    }

    /**
     * The log of a session taken over from a store: {@code events} are the last ones before
     * {@code nextSeq}, in order and without gaps; a resume from before the first is refused.
     */
    static EventLog restored(int capacity, long nextSeq, List<String> events) {
        EventLog log = new EventLog(capacity);
        long first = nextSeq - events.size();
        log.nextSeq = first;
        log.lostUpTo = first - 1;
        for (String json : events) {
            log.append(log.nextSeq, json);
        }
        return log;
    }

    /** The seq the next event gets. */
    long nextSeq() {
        return nextSeq;
    }

    /** Records a serialised event that carries {@code seq}. */
    void append(long seq, String json) {
        if (seq != nextSeq) {
            throw new IllegalStateException("seq " + seq + " out of order, expected " + nextSeq);
        }
        nextSeq++;
        if (entries.size() == capacity) {
            lostUpTo = entries.removeFirst().seq();
        }
        entries.addLast(new Entry(seq, json));
    }

    /** The client processed everything up to {@code seq}. */
    void ack(long seq) {
        while (!entries.isEmpty() && entries.peekFirst().seq() <= seq) {
            entries.removeFirst();
        }
    }

    /**
     * The events after {@code lastSeq}, or empty when some of them are gone or {@code lastSeq} is
     * from the future.
     */
    Optional<List<String>> since(long lastSeq) {
        if (lastSeq < 0 || lastSeq >= nextSeq || lastSeq < lostUpTo) {
            return Optional.empty();
        }
        List<String> out = new ArrayList<>();
        for (Entry e : entries) {
            if (e.seq() > lastSeq) {
                out.add(e.json());
            }
        }
        return Optional.of(out);
    }

    int size() {
        return entries.size();
    }
}
