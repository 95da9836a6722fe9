package org.parley.loadtest.scenario;

import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.parley.loadtest.Options;
import org.parley.loadtest.stats.Sample;

/**
 * {@code connections}: N authenticated signaling connections, opened at a steady rate and then
 * held idle (only keepalive pings) until the end. Measures join time and ping round trip, and
 * counts every connection that fails or is closed by the server.
 */
public final class ConnectionsScenario implements Scenario {

    private final int connections;
    private final double connectRate;
    private final Duration timeout;
    private final Crowd crowd = new Crowd();
    private final AtomicInteger started = new AtomicInteger();
    private final AtomicInteger failed = new AtomicInteger();
    private volatile ScheduledFuture<?> opener;
    private final java.util.concurrent.Semaphore pendingJoins;

    public ConnectionsScenario(Options o) {
        this.connections = o.integer("connections", 100, 1, 1_000_000);
        this.connectRate = o.number("connect-rate", 500, 1, 100_000);
        this.timeout = o.duration("request-timeout", Duration.ofSeconds(10));
        this.pendingJoins = new java.util.concurrent.Semaphore(o.integer("max-pending-joins", 64, 1, 100_000));
    }

    @Override
    public String name() {
        return "connections";
    }

    @Override
    public Map<String, Object> settings() {
        Map<String, Object> s = new LinkedHashMap<>();
        s.put("connections", connections);
        s.put("connect-rate per s", connectRate);
        s.put("request-timeout", Options.human(timeout));
        s.put("max-pending-joins", pendingJoins.availablePermits());
        return s;
    }

    @Override
    public void start(RunContext ctx) {
        // Open in 10 ms ticks; each tick opens what the rate allows so far, so the rate holds even
        // when a tick is late.
        long t0 = System.nanoTime();
        opener = ctx.scheduler().scheduleAtFixedRate(() -> {
            double elapsed = (System.nanoTime() - t0) / 1e9;
            int due = (int) Math.min(connections, Math.floor(elapsed * connectRate) + 1);
            // Open-loop at the rate, but never more than max-pending-joins handshakes in flight:
            // a thundering herd of handshakes only measures the client's own queueing.
            while (started.get() < due && pendingJoins.tryAcquire()) {
                int i = started.getAndIncrement();
                String user = ctx.runId() + "-c" + i;
                SimulatedDevice.join(ctx, user, ctx.tokens().user(user), timeout).whenComplete((d, e) -> {
                    pendingJoins.release();
                    if (e != null) {
                        failed.incrementAndGet();
                        ctx.metrics().error(user + ": join: " + rootMessage(e));
                    } else {
                        crowd.add(d);
                    }
                });
            }
            ScheduledFuture<?> self = opener;
            if (started.get() >= connections && self != null) {
                self.cancel(false);
            }
        }, 0, 10, TimeUnit.MILLISECONDS);
    }

    static String rootMessage(Throwable e) {
        Throwable t = e;
        while (t.getCause() != null && t != t.getCause()) {
            t = t.getCause();
        }
        return t.getClass().getSimpleName() + ": " + t.getMessage();
    }

    @Override
    public boolean ready() {
        return crowd.size() + failed.get() >= connections;
    }

    @Override
    public String progress(Sample s) {
        return String.format(Locale.ROOT, "opened %d/%d failed %d", crowd.size(), connections, failed.get());
    }

    @Override
    public void stop() {
        ScheduledFuture<?> o = opener;
        if (o != null) {
            o.cancel(false);
        }
        crowd.leaveAll(10);
    }

    @Override
    public Map<String, Object> summary() {
        Map<String, Object> s = new LinkedHashMap<>();
        s.put("connections requested", connections);
        s.put("connections attempted", Math.min(started.get(), connections));
        s.put("connections established", crowd.size());
        s.put("connections failed", failed.get());
        return s;
    }
}
