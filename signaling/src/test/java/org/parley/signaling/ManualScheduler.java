package org.parley.signaling;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * Test time: a clock that only moves when told, and a scheduler whose tasks fire when the clock
 * passes their due time. Lets tests cover ring timeouts, grace periods and token expiry without
 * sleeping.
 */
public final class ManualScheduler extends Clock implements Scheduler {

    private record Task(Instant due, long order, Runnable run, boolean[] cancelled) {
    }

    private Instant now;
    private long order;
    private final List<Task> tasks = new ArrayList<>();

    public ManualScheduler(Instant start) {
        this.now = start;
    }

    @Override
    public synchronized Instant instant() {
        return now;
    }

    @Override
    public ZoneId getZone() {
        return ZoneOffset.UTC;
    }

    @Override
    public Clock withZone(ZoneId zone) {
        return this;
    }

    @Override
    public synchronized Timer schedule(Duration delay, Runnable task) {
        boolean[] cancelled = {false};
        tasks.add(new Task(now.plus(delay), order++, task, cancelled));
        return () -> {
            synchronized (ManualScheduler.this) {
                cancelled[0] = true;
            }
        };
    }

    /**
     * Moves time forward, running every task that falls due, in due order. Returns whether any task
     * ran, so a caller can repeat with zero until tasks that were scheduled meanwhile have run too.
     */
    public boolean advance(Duration d) {
        boolean ran = false;
        Instant target;
        synchronized (this) {
            target = now.plus(d);
        }
        while (true) {
            Task next;
            synchronized (this) {
                next = tasks.stream().filter(t -> !t.due().isAfter(target))
                        .min(Comparator.comparing(Task::due).thenComparing(Task::order)).orElse(null);
                if (next == null) {
                    now = target;
                    return ran;
                }
                tasks.remove(next);
                if (next.due().isAfter(now)) {
                    now = next.due();
                }
                if (next.cancelled()[0]) {
                    continue;
                }
            }
            ran = true;
            next.run().run();
        }
    }
}
