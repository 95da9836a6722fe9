package org.parley.loadtest.scenario;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import org.parley.loadtest.stats.RunMetrics;
import org.parley.signaling.client.SignalingClient;

/**
 * One simulated device of one user: a signed-in {@link SignalingClient} that keeps itself alive
 * with {@code ping} (recording each round trip) and counts itself as a participant while open.
 */
public final class SimulatedDevice {

    private final String user;
    private final String device;
    private final SignalingClient client;
    private final RunContext ctx;
    private volatile ScheduledFuture<?> keepalive;
    private volatile boolean stopping;

    private SimulatedDevice(String user, String device, SignalingClient client, RunContext ctx) {
        this.user = user;
        this.device = device;
        this.client = client;
        this.ctx = ctx;
    }

    /**
     * Connects and signs in without blocking; records the join time (connect + hello until
     * welcome) and starts the keepalive. Fails with the client's error.
     */
    public static CompletableFuture<SimulatedDevice> join(RunContext ctx, String user, String token, Duration timeout) {
        String device = "load";
        long t0 = System.nanoTime();
        return SignalingClient.connectAsync(ctx.http(), ctx.target().next().signaling(), timeout)
                .thenCompose(c -> {
                    c.timeout(timeout);
                    return c.send("hello", "token", token, "device", device).thenApply(welcome -> {
                        ctx.metrics().latency(RunMetrics.JOIN).recordNanos(System.nanoTime() - t0);
                        SimulatedDevice d = new SimulatedDevice(user, device, c, ctx);
                        d.started(welcome);
                        return d;
                    }).whenComplete((d, e) -> {
                        if (e != null) {
                            c.abort();
                        }
                    });
                });
    }

    private void started(JsonNode welcome) {
        ctx.metrics().participants().incrementAndGet();
        // Ping at half the interval the server asks for, spread so pings do not come in waves.
        long interval = Math.max(1000, welcome.path("pingIntervalMs").asLong(20_000) / 2);
        long first = ThreadLocalRandom.current().nextLong(interval);
        keepalive = ctx.scheduler().scheduleAtFixedRate(this::ping, first, interval, TimeUnit.MILLISECONDS);
        client.closed().thenAccept(status -> {
            ctx.metrics().participants().decrementAndGet();
            ScheduledFuture<?> k = keepalive;
            if (k != null) {
                k.cancel(false);
            }
            if (!stopping) {
                ctx.metrics().error(user + ": connection closed " + status.code() + " " + status.reason());
            }
        });
    }

    private void ping() {
        long t0 = System.nanoTime();
        client.send("ping").whenComplete((r, e) -> {
            if (e == null) {
                ctx.metrics().latency(RunMetrics.PING).recordNanos(System.nanoTime() - t0);
            } else if (!stopping) {
                ctx.metrics().error(user + ": ping: " + e.getMessage());
            }
        });
    }

    public String user() {
        return user;
    }

    public String device() {
        return device;
    }

    public SignalingClient client() {
        return client;
    }

    /** Ends the session for good ({@code bye}) without waiting; the server then closes. */
    public CompletableFuture<Void> leave() {
        stopping = true;
        ScheduledFuture<?> k = keepalive;
        if (k != null) {
            k.cancel(false);
        }
        return client.send("bye").handle((r, e) -> null).thenCompose(x -> client.closed()).thenApply(x -> null);
    }

    /** Drops the connection at once (after {@link #leave()} took too long). */
    public void abort() {
        stopping = true;
        if (!client.closed().isDone()) {
            client.abort();
        }
    }
}
