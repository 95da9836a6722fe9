package org.parley.loadtest.scenario;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.parley.loadtest.Options;
import org.parley.loadtest.stats.RunMetrics;
import org.parley.loadtest.stats.Sample;
import org.parley.signaling.client.SignalingClient;
import org.parley.signaling.client.SignalingException;

/**
 * {@code calls}: one-to-one calls placed at a steady rate between pairs of simulated users:
 * invite, the callee's device rings, accept, connected, talk for T seconds, hang up. Measures
 * set-up time (invite sent until the caller hears {@code call.ringing}) and answer time (accept
 * sent until the caller hears {@code call.accepted}), and counts every outcome.
 *
 * <p>Calls are placed once every pair has signed in. Each pair holds at most one call; a call that is due while every pair is busy is counted as
 * {@code calls.no_free_pair} (raise {@code --pairs}). A pair whose call failed is retired, since
 * its state on the server is unknown.
 */
public final class CallsScenario implements Scenario {

    static final String PLACED = "calls.placed";
    static final String CONNECTED = "calls.connected";
    static final String COMPLETED = "calls.completed";
    static final String FAILED = "calls.failed";
    static final String NO_FREE_PAIR = "calls.no_free_pair";

    private final double rate;
    private final Duration talk;
    private final int pairs;
    private final double connectRate;
    private final Duration timeout;
    private final String media;
    private final ConcurrentLinkedQueue<Pair> free = new ConcurrentLinkedQueue<>();
    private final Crowd crowd = new Crowd();
    private final AtomicInteger pairsReady = new AtomicInteger();
    private final AtomicInteger pairsSettled = new AtomicInteger();
    private final AtomicInteger inCall = new AtomicInteger();
    private final AtomicLong callsDue = new AtomicLong();
    private volatile boolean stopping;
    private volatile long firstPlacedNanos;
    private volatile long lastPlacedNanos;
    private volatile ScheduledFuture<?> placer;
    private volatile ScheduledFuture<?> opener;
    private RunContext ctx;
    private final java.util.concurrent.Semaphore pendingJoins;
    private final int maxPendingJoins;

    /** A caller and a callee, each one device. */
    record Pair(SimulatedDevice caller, SimulatedDevice callee) {
    }

    public CallsScenario(Options o) {
        this.rate = o.number("rate", 10, 0.1, 100_000);
        this.talk = o.duration("talk", Duration.ofSeconds(5));
        int needed = (int) Math.ceil(rate * (talk.toMillis() / 1000.0 + 1) * 1.5) + 1;
        this.pairs = o.integer("pairs", needed, 1, 500_000);
        this.connectRate = o.number("connect-rate", 500, 1, 100_000);
        this.timeout = o.duration("request-timeout", Duration.ofSeconds(10));
        this.maxPendingJoins = o.integer("max-pending-joins", 64, 2, 100_000);
        this.pendingJoins = new java.util.concurrent.Semaphore(maxPendingJoins / 2);
        this.media = o.string("media", "audio");
        if (!media.equals("audio") && !media.equals("video")) {
            throw new IllegalArgumentException("--media: audio or video, got " + media);
        }
    }

    @Override
    public String name() {
        return "calls";
    }

    @Override
    public Map<String, Object> settings() {
        Map<String, Object> s = new LinkedHashMap<>();
        s.put("rate (calls per s)", rate);
        s.put("talk", talk.toString());
        s.put("pairs", pairs);
        s.put("connect-rate per s", connectRate);
        s.put("max-pending-joins", maxPendingJoins);
        s.put("media (signalled)", media);
        s.put("media packets", "none: signaling only");
        return s;
    }

    @Override
    public void start(RunContext ctx) {
        this.ctx = ctx;
        long t0 = System.nanoTime();
        AtomicInteger opened = new AtomicInteger();
        // Sign the pairs in at the connect rate (two devices per pair).
        opener = ctx.scheduler().scheduleAtFixedRate(() -> {
            double elapsed = (System.nanoTime() - t0) / 1e9;
            int due = (int) Math.min(pairs, Math.floor(elapsed * connectRate / 2) + 1);
            while (opened.get() < due && pendingJoins.tryAcquire()) {
                openPair(opened.getAndIncrement());
            }
            ScheduledFuture<?> self = opener;
            if (opened.get() >= pairs && self != null) {
                self.cancel(false);
            }
        }, 0, 10, TimeUnit.MILLISECONDS);
        long periodNanos = Math.max(1, (long) (1e9 / rate));
        placer = ctx.scheduler().scheduleAtFixedRate(this::placeDueCall, periodNanos, periodNanos, TimeUnit.NANOSECONDS);
    }

    private void openPair(int i) {
        String a = ctx.runId() + "-a" + i;
        String b = ctx.runId() + "-b" + i;
        CompletableFuture<SimulatedDevice> caller = SimulatedDevice.join(ctx, a, ctx.tokens().user(a), timeout);
        CompletableFuture<SimulatedDevice> callee = SimulatedDevice.join(ctx, b, ctx.tokens().user(b), timeout);
        caller.thenAccept(crowd::add);
        callee.thenAccept(crowd::add);
        caller.thenCombine(callee, Pair::new).whenComplete((p, e) -> {
            pendingJoins.release();
            pairsSettled.incrementAndGet();
            if (e != null) {
                ctx.metrics().error("pair " + i + ": join: " + ConnectionsScenario.rootMessage(e));
            } else {
                pairsReady.incrementAndGet();
                free.add(p);
            }
        });
    }

    private void placeDueCall() {
        if (stopping || pairsSettled.get() < pairs) {
            return; // calls start once every pair is signed in, so the rate is not the join rate
        }
        callsDue.incrementAndGet();
        Pair p = free.poll();
        if (p == null) {
            ctx.metrics().increment(NO_FREE_PAIR);
            return;
        }
        ctx.workers().execute(() -> call(p));
    }

    /** Invite, ring, accept, connected; the hang-up is scheduled after the talk time. */
    private void call(Pair p) {
        SignalingClient caller = p.caller().client();
        SignalingClient callee = p.callee().client();
        String callId = null;
        try {
            ctx.metrics().increment(PLACED);
            long t0 = System.nanoTime();
            if (firstPlacedNanos == 0) {
                firstPlacedNanos = t0;
            }
            lastPlacedNanos = t0;
            JsonNode invited = caller.request("call.invite", "to", p.callee().user(), "media", media);
            callId = invited.path("callId").asText();
            JsonNode incoming = callee.awaitEvent("call.incoming");
            expectCall(incoming, callId);
            expectCall(caller.awaitEvent("call.ringing"), callId);
            ctx.metrics().latency(RunMetrics.SETUP).recordNanos(System.nanoTime() - t0);
            long t1 = System.nanoTime();
            callee.request("call.accept", "callId", callId);
            expectCall(caller.awaitEvent("call.accepted"), callId);
            ctx.metrics().latency(RunMetrics.ANSWER).recordNanos(System.nanoTime() - t1);
            caller.request("call.connected", "callId", callId);
            expectCall(callee.awaitEvent("call.connected"), callId);
            ctx.metrics().increment(CONNECTED);
            inCall.addAndGet(2);
            String id = callId;
            ctx.scheduler().schedule(() -> ctx.workers().execute(() -> hangUp(p, id)), talk.toMillis(),
                    TimeUnit.MILLISECONDS);
        } catch (SignalingException | IllegalStateException e) {
            failed(p, callId, "set-up", e);
        }
    }

    private void hangUp(Pair p, String callId) {
        try {
            p.caller().client().request("call.hangup", "callId", callId);
            JsonNode ended = p.callee().client().awaitEvent("call.ended");
            expectCall(ended, callId);
            if (!"hangup".equals(ended.path("reason").asText())) {
                throw new IllegalStateException("call.ended reason " + ended.path("reason").asText());
            }
            inCall.addAndGet(-2);
            ctx.metrics().increment(COMPLETED);
            if (!stopping) {
                free.add(p);
            }
        } catch (SignalingException | IllegalStateException e) {
            inCall.addAndGet(-2);
            failed(p, callId, "hang-up", e);
        } catch (RuntimeException e) {
            inCall.addAndGet(-2);
            failed(p, callId, "hang-up", e);
        }
    }

    private void failed(Pair p, String callId, String step, RuntimeException e) {
        if (stopping) {
            return; // calls cut short by the end of the run are not failures
        }
        ctx.metrics().increment(FAILED);
        ctx.metrics().error("call " + callId + " " + step + ": " + e.getMessage());
    }

    private static void expectCall(JsonNode event, String callId) {
        if (!callId.equals(event.path("callId").asText())) {
            throw new IllegalStateException("event for another call: " + event);
        }
    }

    @Override
    public String progress(Sample s) {
        return String.format(Locale.ROOT, "calls/s %.1f | in call %d | pairs %d/%d | completed %d failed %d",
                s.rate(PLACED), inCall.get(), pairsReady.get(), pairs, s.totals().getOrDefault(COMPLETED, 0L),
                s.totals().getOrDefault(FAILED, 0L));
    }

    @Override
    public void stop() {
        stopping = true;
        for (ScheduledFuture<?> f : new ScheduledFuture<?>[] {placer, opener}) {
            if (f != null) {
                f.cancel(false);
            }
        }
        crowd.leaveAll(10);
    }

    @Override
    public Map<String, Object> summary() {
        RunMetrics m = ctx.metrics();
        Map<String, Object> s = new LinkedHashMap<>();
        s.put("pairs signed in", pairsReady.get());
        s.put("calls due", callsDue.get());
        for (String c : new String[] {PLACED, CONNECTED, COMPLETED, FAILED, NO_FREE_PAIR}) {
            s.put(c, m.counter(c).sum());
        }
        s.put("calls cut short by the end",
                m.counter(PLACED).sum() - m.counter(COMPLETED).sum() - m.counter(FAILED).sum());
        double seconds = (lastPlacedNanos - firstPlacedNanos) / 1e9;
        s.put("call set-up rate achieved (per s)", seconds <= 0 ? 0
                : Math.round(m.counter(CONNECTED).sum() / seconds * 10) / 10.0);
        return s;
    }
}
