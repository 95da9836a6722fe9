package org.parley.loadtest.scenario;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.parley.loadtest.Options;
import org.parley.loadtest.stats.RunMetrics;
import org.parley.loadtest.stats.Sample;

/**
 * {@code capacity}: the conference load in steps. It starts with {@code --rooms} rooms and adds
 * {@code --rooms-per-step} more every {@code --step}; each step is judged on its samples after
 * {@code --settle} (joins and ICE/DTLS set-up are not steady state). A step holds when media loss
 * stays at or under {@code --max-loss} percent, every second's p99 one-way latency stays at or
 * under {@code --max-p99}, and every participant joined. The first step that does not hold ends
 * the run; the result is the largest load that held.
 */
public final class CapacityScenario extends ConferenceScenario {

    private final long stepNanos;
    private final long settleNanos;
    private final int roomsPerStep;
    private final double maxLossPercent;
    private final double maxP99Ms;
    private final int maxRooms;
    private final List<Map<String, Object>> steps = new ArrayList<>();
    private int roomsNow;
    private double stepStart = 0;
    private long expected;
    private long lost;
    private double worstP99;
    private double ppsSum;
    private double forwardedSum;
    private double cpuSum;
    private int n;
    private int cpuN;
    private Map<String, Object> held;
    private volatile String brokeBecause;
    private volatile boolean finished;

    public CapacityScenario(Options o) {
        super(o, 1);
        this.stepNanos = o.duration("step", java.time.Duration.ofSeconds(20)).toNanos();
        this.settleNanos = o.duration("settle", java.time.Duration.ofSeconds(8)).toNanos();
        this.roomsPerStep = o.integer("rooms-per-step", 1, 1, 1000);
        this.maxLossPercent = o.number("max-loss", 1.0, 0, 100);
        this.maxP99Ms = o.number("max-p99", 50, 0.1, 60_000);
        this.maxRooms = o.integer("max-rooms", 200, 1, 10_000);
        if (settleNanos >= stepNanos) {
            throw new IllegalArgumentException("--settle must be shorter than --step");
        }
    }

    @Override
    public String name() {
        return "capacity";
    }

    @Override
    public Map<String, Object> settings() {
        Map<String, Object> s = super.settings();
        s.put("step", stepNanos / 1_000_000_000.0 + " s (settle " + settleNanos / 1_000_000_000.0 + " s)");
        s.put("rooms per step", roomsPerStep);
        s.put("limit: loss %", maxLossPercent);
        s.put("limit: p99 one-way latency ms", maxP99Ms);
        return s;
    }

    @Override
    public void start(RunContext ctx) {
        super.start(ctx);
        roomsNow = rooms;
    }

    @Override
    public synchronized void onSample(Sample s) {
        if (finished) {
            return;
        }
        double inStep = s.seconds() - stepStart;
        if (inStep * 1e9 > settleNanos) {
            expected += s.expected();
            lost += s.lost();
            if (s.latency(RunMetrics.LATENCY).count() > 0) {
                worstP99 = Math.max(worstP99, s.latency(RunMetrics.LATENCY).p99());
            }
            ppsSum += s.rate(RunMetrics.PACKETS_RECEIVED);
            forwardedSum += Math.max(0, s.serverForwardedPps());
            if (s.serverCpu() >= 0) {
                cpuSum += s.serverCpu();
                cpuN++;
            }
            n++;
        }
        if (inStep * 1e9 < stepNanos) {
            return;
        }
        double loss = expected == 0 ? 0 : 100.0 * lost / expected;
        int expectedMembers = roomsNow * participants;
        Map<String, Object> step = new LinkedHashMap<>();
        step.put("rooms", roomsNow);
        step.put("participants", expectedMembers);
        step.put("joined", joined.get());
        step.put("loss %", round(loss));
        step.put("worst p99 ms", round(worstP99));
        step.put("received pps", round(n == 0 ? 0 : ppsSum / n));
        step.put("relay forwarded pps", round(n == 0 ? 0 : forwardedSum / n));
        step.put("server cpu cores", round(cpuN == 0 ? -1 : cpuSum / cpuN));
        steps.add(step);
        String broke = null;
        if (joined.get() < expectedMembers) {
            broke = (expectedMembers - joined.get()) + " participants could not join";
        } else if (expected == 0) {
            broke = "no media arrived";
        } else if (loss > maxLossPercent) {
            broke = String.format(Locale.ROOT, "loss %.2f%% over %.2f%%", loss, maxLossPercent);
        } else if (worstP99 > maxP99Ms) {
            broke = String.format(Locale.ROOT, "p99 %.1f ms over %.1f ms", worstP99, maxP99Ms);
        }
        if (broke != null) {
            brokeBecause = "at " + expectedMembers + " participants: " + broke;
            finished = true;
            return;
        }
        held = step;
        if (roomsNow + roomsPerStep > maxRooms) {
            brokeBecause = "stopped at --max-rooms without breaking";
            finished = true;
            return;
        }
        for (int i = 0; i < roomsPerStep; i++) {
            addRoom();
        }
        roomsNow += roomsPerStep;
        stepStart = s.seconds();
        expected = 0;
        lost = 0;
        worstP99 = 0;
        ppsSum = 0;
        forwardedSum = 0;
        cpuSum = 0;
        n = 0;
        cpuN = 0;
    }

    private static double round(double v) {
        return Math.round(v * 100) / 100.0;
    }

    @Override
    public boolean finished() {
        return finished;
    }

    @Override
    public String progress(Sample s) {
        return super.progress(s) + " | step rooms " + roomsNow;
    }

    @Override
    public synchronized Map<String, Object> summary() {
        Map<String, Object> s = super.summary();
        s.put("largest load that held", held == null ? "none" : held);
        s.put("ended", brokeBecause == null ? "duration reached before a limit broke" : brokeBecause);
        Object cores = held == null ? null : held.get("server cpu cores");
        Object fwd = held == null ? null : held.get("relay forwarded pps");
        if (cores instanceof Double c && fwd instanceof Double f && c > 0) {
            s.put("relay forwarded pps per busy core (held step)", Math.round(f / c));
        }
        s.put("steps", steps);
        return s;
    }
}
