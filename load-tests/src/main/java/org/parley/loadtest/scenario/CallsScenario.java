package org.parley.loadtest.scenario;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Duration;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.parley.loadtest.Options;
import org.parley.loadtest.stats.LatencyMetric;
import org.parley.loadtest.stats.MemberFigures;
import org.parley.loadtest.stats.RunMetrics;
import org.parley.loadtest.stats.Sample;
import org.parley.signaling.client.SignalingClient;

/**
 * {@code calls}: one-to-one calls placed at a steady rate between pairs of simulated users:
 * invite, the callee's device rings, accept, connected, talk for T seconds, hang up. Measures
 * set-up time (invite sent until the caller hears {@code call.ringing}) and answer time (accept
 * sent until the caller hears {@code call.accepted}), and counts every outcome.
 *
 * <p>With {@code --media audio|video} each connected call also carries media for its talk time:
 * both devices publish through the relay (the server's relay mode for one-to-one calls, protocol
 * 5.4) and measure what the other sends, as conference members do ({@link MediaSession}). A server
 * whose calls are peer-to-peer is refused before the load starts, naming the setting to change:
 * the simulated devices speak only to the relay (ICE controlling, DTLS client on both ends).
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
    static final String WITH_MEDIA = "calls.media_connected";
    /** From the first relay.offer of a call until both parties receive each other's media. */
    static final String MEDIA_SETUP = "media-setup";
    /** The server setting that routes one-to-one media through the relay. */
    static final String RELAY_MODE_KEY = "parley.signaling.calls.media";

    private final double rate;
    private final Duration talk;
    private final int pairs;
    private final double connectRate;
    private final Duration timeout;
    /** none (signaling only), audio, or video (audio and video). */
    private final String media;
    /** What each party sends, or null for signaling-only calls. */
    private final MediaOptions mediaOptions;
    private MediaTally tally;
    private final Map<String, MediaSession[]> mediaByCall = new ConcurrentHashMap<>();
    /** Guards calls.completed and the media figures of hung-up calls, which change together. */
    private final Object hungUpTally = new Object();
    private final AtomicLong mediaCallsEnded = new AtomicLong();
    private final AtomicInteger mediaCallIndex = new AtomicInteger();
    private final AtomicLong mediaStreamsReceived = new AtomicLong();
    private final LatencyMetric windowLatency = new LatencyMetric("window");
    /** What each party of each hung-up call with media received. */
    private final java.util.Queue<MemberFigures> memberFigures = new ConcurrentLinkedQueue<>();
    /** Longest wait at a hang-up for the packets in flight when the parties stop sending. */
    private static final Duration DRAIN = Duration.ofSeconds(1);
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
        this.media = o.string("media", "none");
        if (!media.equals("none") && !media.equals("audio") && !media.equals("video")) {
            throw new IllegalArgumentException("--media: none, audio or video, got " + media);
        }
        this.mediaOptions = media.equals("none") ? null : new MediaOptions(o, media.equals("video"));
        // A pair is busy for the talk time, a second of signaling and, with media, ICE/DTLS set-up.
        double busySeconds = talk.toMillis() / 1000.0 + 1 + (mediaOptions == null ? 0 : 3);
        int needed = (int) Math.ceil(rate * busySeconds * 1.5) + 1;
        this.pairs = o.integer("pairs", needed, 1, 500_000);
        this.connectRate = o.number("connect-rate", 500, 1, 100_000);
        this.timeout = o.duration("request-timeout", Duration.ofSeconds(10));
        this.maxPendingJoins = o.integer("max-pending-joins", 64, 2, 100_000);
        this.pendingJoins = new java.util.concurrent.Semaphore(maxPendingJoins / 2);
    }

    @Override
    public String name() {
        return "calls";
    }

    @Override
    public Map<String, Object> settings() {
        Map<String, Object> s = new LinkedHashMap<>();
        s.put("rate (calls per s)", rate);
        s.put("talk", Options.human(talk));
        s.put("pairs", pairs);
        s.put("connect-rate per s", connectRate);
        s.put("max-pending-joins", maxPendingJoins);
        s.put("media", mediaOptions == null ? "none: signaling only (the invite announces audio)"
                : media + " through the relay for the talk time");
        if (mediaOptions != null) {
            mediaOptions.describe(s);
        }
        return s;
    }

    @Override
    public void start(RunContext ctx) {
        this.ctx = ctx;
        this.tally = new MediaTally(ctx.metrics());
        if (mediaOptions != null) {
            requireRelayMode();
            ctx.warmUpSrtp();
        }
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
            JsonNode invited = caller.request("call.invite", "to", p.callee().user(), "media",
                    media.equals("video") ? "video" : "audio");
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
            if (mediaOptions != null) {
                startMedia(p, id);
            }
            ctx.scheduler().schedule(() -> ctx.workers().execute(() -> hangUp(p, id)), talk.toMillis(),
                    TimeUnit.MILLISECONDS);
        } catch (RuntimeException e) {
            MediaSession[] parties = callId == null ? null : mediaByCall.remove(callId);
            if (parties != null) {
                inCall.addAndGet(-2);
                closeMedia(parties);
            }
            failed(p, callId, parties == null ? "set-up" : "media set-up", e);
        }
    }

    /**
     * Both parties publish through the relay in the call's context and answer its subscriber
     * offers; each measures the other's media until the hang-up.
     */
    private void startMedia(Pair p, String callId) {
        int index = mediaCallIndex.getAndIncrement() * 2; // the payload's sender index, caller then callee
        MediaSession[] parties = new MediaSession[2];
        mediaByCall.put(callId, parties);
        long t0 = System.nanoTime();
        try {
            parties[0] = new MediaSession(ctx, tally, p.caller(), "callId", callId, index, mediaOptions, t0, windowLatency);
            parties[1] = new MediaSession(ctx, tally, p.callee(), "callId", callId, index + 1, mediaOptions, t0,
                    windowLatency);
        } catch (java.io.IOException e) {
            throw new IllegalStateException("media client: " + e.getMessage(), e);
        }
        for (MediaSession m : parties) {
            m.connect(true, false);
            m.startSending();
        }
        // The talk time starts once each party hears the other: ICE and DTLS of two connections
        // per device come first, and can take seconds on a loaded machine.
        Duration mediaTimeout = timeout.multipliedBy(3);
        int kinds = mediaOptions.cameraAndMicKinds();
        try {
            for (MediaSession m : parties) {
                if (!m.awaitStreams(kinds, mediaTimeout)) {
                    throw new IllegalStateException("media from the other party not received within "
                            + mediaTimeout.toSeconds() + " s (" + m.streamsReceived() + " of " + kinds + " streams)");
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted");
        }
        ctx.metrics().latency(MEDIA_SETUP).recordNanos(System.nanoTime() - t0);
        ctx.metrics().increment(WITH_MEDIA);
    }

    private void hangUp(Pair p, String callId) {
        MediaSession[] parties = mediaByCall.remove(callId);
        try {
            int streamsReceived = 0;
            if (parties != null) {
                // Stop sending (what is in flight still arrives) and hand the devices' events back
                // to the call flow below.
                List<MediaSession> both = java.util.Arrays.stream(parties).filter(java.util.Objects::nonNull).toList();
                MediaSession.drain(both, DRAIN);
                both.forEach(MediaSession::stop);
                streamsReceived = parties[0].streamsReceived() + parties[1].streamsReceived();
            }
            p.caller().client().request("call.hangup", "callId", callId);
            JsonNode ended = p.callee().client().awaitEvent("call.ended");
            expectCall(ended, callId);
            if (!"hangup".equals(ended.path("reason").asText())) {
                throw new IllegalStateException("call.ended reason " + ended.path("reason").asText());
            }
            inCall.addAndGet(-2);
            // A call counts as hung up, in calls.completed and in the media figures alike, once its
            // hang-up is through, and all three change together: a hang-up still in flight when the
            // run ends and the summary is taken is then in none of them.
            synchronized (hungUpTally) {
                if (parties != null) {
                    mediaStreamsReceived.addAndGet(streamsReceived);
                    mediaCallsEnded.incrementAndGet();
                    for (MediaSession m : parties) {
                        if (m != null) {
                            memberFigures.add(m.figures(mediaOptions.cameraAndMicKinds()));
                        }
                    }
                }
                ctx.metrics().increment(COMPLETED);
            }
            if (!stopping) {
                free.add(p);
            }
        } catch (RuntimeException e) {
            inCall.addAndGet(-2);
            failed(p, callId, "hang-up", e);
        } finally {
            closeMedia(parties);
        }
    }

    private static void closeMedia(MediaSession[] parties) {
        if (parties != null) {
            for (MediaSession m : parties) {
                if (m != null) {
                    m.close();
                }
            }
        }
    }

    /**
     * One probe call between two extra devices, cancelled at once, to read the server's
     * transport for one-to-one calls before any load is placed.
     */
    private void requireRelayMode() {
        String a = ctx.runId() + "-probe-a";
        String b = ctx.runId() + "-probe-b";
        SimulatedDevice caller = null;
        SimulatedDevice callee = null;
        String transport;
        try {
            caller = SimulatedDevice.join(ctx, a, ctx.tokens().user(a), timeout).get(timeout.toMillis(), TimeUnit.MILLISECONDS);
            callee = SimulatedDevice.join(ctx, b, ctx.tokens().user(b), timeout).get(timeout.toMillis(), TimeUnit.MILLISECONDS);
            JsonNode invited = caller.client().request("call.invite", "to", b, "media", "audio");
            transport = invited.path("transport").asText();
            caller.client().request("call.cancel", "callId", invited.path("callId").asText());
        } catch (Exception e) {
            throw new IllegalStateException("probe call to read the server's call transport failed: "
                    + ConnectionsScenario.rootMessage(e), e);
        } finally {
            for (SimulatedDevice d : new SimulatedDevice[] {caller, callee}) {
                if (d != null) {
                    d.leave();
                }
            }
        }
        if (!"relay".equals(transport)) {
            throw new IllegalStateException("calls --media " + media + " sends media through the relay, but this"
                    + " server's one-to-one calls are '" + transport + "': start the server with " + RELAY_MODE_KEY
                    + " = relay (peer-to-peer media between simulated devices is not implemented)");
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
    public boolean ready() {
        return pairsSettled.get() >= pairs;
    }

    @Override
    public String progress(Sample s) {
        String line = String.format(Locale.ROOT, "calls/s %.1f | in call %d | pairs %d/%d | completed %d failed %d",
                s.rate(PLACED), inCall.get(), pairsReady.get(), pairs, s.totals().getOrDefault(COMPLETED, 0L),
                s.totals().getOrDefault(FAILED, 0L));
        if (mediaOptions == null) {
            return line;
        }
        // Each call with media has two parties, each receiving the other's kinds.
        return line + String.format(Locale.ROOT, " | streams flowing %d/%d", tally.flowing(),
                mediaByCall.size() * 2 * mediaOptions.cameraAndMicKinds());
    }

    @Override
    public void stop() {
        stopping = true;
        for (ScheduledFuture<?> f : new ScheduledFuture<?>[] {placer, opener}) {
            if (f != null) {
                f.cancel(false);
            }
        }
        List<MediaSession> running = new java.util.ArrayList<>();
        mediaByCall.values().forEach(parties -> {
            for (MediaSession m : parties) {
                if (m != null) {
                    running.add(m);
                }
            }
        });
        MediaSession.stopAll(running, DRAIN);
        crowd.leaveAll(10);
    }

    @Override
    public List<MemberFigures> members() {
        synchronized (hungUpTally) {
            return List.copyOf(memberFigures);
        }
    }

    @Override
    public Map<String, Object> summary() {
        synchronized (hungUpTally) {
            return summaryOfHungUpCalls();
        }
    }

    private Map<String, Object> summaryOfHungUpCalls() {
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
        if (mediaOptions != null) {
            s.put(WITH_MEDIA, m.counter(WITH_MEDIA).sum());
            // Each hung-up call's two parties received each other's kinds (streams of calls still
            // running at the end are in the per-kind figures too).
            long ended = mediaCallsEnded.get();
            s.put("media streams expected (hung-up calls)", ended * 2 * mediaOptions.cameraAndMicKinds());
            s.put("media streams received (hung-up calls)", mediaStreamsReceived.get());
            Map<MediaKind, Integer> expected = new EnumMap<>(MediaKind.class);
            expected.put(MediaKind.AUDIO, mediaOptions.audioBitrate > 0 ? (int) ended * 2 : 0);
            expected.put(MediaKind.VIDEO, mediaOptions.videoBitrate > 0 ? (int) ended * 2 : 0);
            s.put("by kind (streams expected: hung-up calls only)", tally.summary(expected));
        }
        return s;
    }
}
