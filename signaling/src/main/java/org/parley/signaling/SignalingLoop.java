package org.parley.signaling;

import java.time.Clock;
import java.time.Duration;
import java.util.concurrent.Executor;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The one thread that owns all call-control state. Netty threads parse frames and hand requests
 * here; relay callbacks and timers land here too. Serialising everything keeps the state machines
 * free of locks and makes outcomes such as glare deterministic: whatever reached the loop first
 * happened first. One thread handles the target of 200 call set-ups per second with room to spare.
 */
public final class SignalingLoop implements Executor, Scheduler, AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(SignalingLoop.class);

    private final ScheduledExecutorService executor;
    private final Clock clock;
    private final Scheduler timers;

    /** A loop whose timers run on real time. */
    public static SignalingLoop realTime(Clock clock) {
        return new SignalingLoop(clock, null);
    }

    /**
     * A loop whose timers are driven by {@code timers} (tests pass a manual scheduler); the tasks
     * they fire still run on the loop thread.
     */
    public SignalingLoop(Clock clock, Scheduler timers) {
        ScheduledThreadPoolExecutor ex = new ScheduledThreadPoolExecutor(1, r -> {
            Thread t = new Thread(r, "parley-signaling");
            t.setDaemon(true);
            return t;
        });
        ex.setRemoveOnCancelPolicy(true);
        this.executor = ex;
        this.clock = clock;
        this.timers = timers;
    }

    public Clock clock() {
        return clock;
    }

    @Override
    public void execute(Runnable task) {
        try {
            executor.execute(() -> runSafely(task));
        } catch (java.util.concurrent.RejectedExecutionException e) {
            LOG.debug("signaling loop closed, task dropped");
        }
    }

    @Override
    public Timer schedule(Duration delay, Runnable task) {
        if (timers != null) {
            return timers.schedule(delay, () -> execute(task));
        }
        try {
            ScheduledFuture<?> f = executor.schedule(() -> runSafely(task), delay.toNanos(), TimeUnit.NANOSECONDS);
            return () -> f.cancel(false);
        } catch (java.util.concurrent.RejectedExecutionException e) {
            return () -> { };
        }
    }

    private static void runSafely(Runnable task) {
        try {
            task.run();
        } catch (RuntimeException | Error e) {
            LOG.error("signaling task failed", e);
        }
    }

    @Override
    public void close() {
        executor.shutdown();
        try {
            executor.awaitTermination(2, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        executor.shutdownNow();
    }
}
