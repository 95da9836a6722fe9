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
 * {@code --rooms-per-step} more each step. A step's clock starts once all its participants have
 * joined and media flows; after {@code --settle} its samples are judged for {@code --step}. It
 * holds when media loss stays at or under {@code --max-loss} percent, the p99 one-way latency over
 * the judged window stays at or under {@code --max-p99}, and every participant joined. The first step that does not hold ends
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
    private double steadySince = -1;
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
        int expectedMembers = roomsNow * participants;
        // A step's clock starts once everyone of it has joined and media flows: joins and ICE/DTLS
        // set-up are not the steady state being judged.
        if (steadySince < 0) {
            if (joined.get() + joinFailures.get() >= expectedMembers && s.expected() > 0) {
                steadySince = s.seconds();
            } else if (s.seconds() - stepStart > 3 * stepNanos / 1e9) {
                judge(s, expectedMembers, "participants did not all join and receive media within "
                        + Math.round(3 * stepNanos / 1e9) + " s");
                return;
            } else {
                return;
            }
        }
        double steady = s.seconds() - steadySince;
        if (steady * 1e9 <= settleNanos) {
            windowLatency.sampleInterval(); // drop what was recorded while settling
            return;
        }
        expected += s.expected();
        lost += s.lost();
        ppsSum += s.rate(RunMetrics.PACKETS_RECEIVED);
        forwardedSum += Math.max(0, s.serverForwardedPps());
        if (s.serverCpu() >= 0) {
            cpuSum += s.serverCpu();
            cpuN++;
        }
        n++;
        if (steady * 1e9 >= stepNanos) {
            judge(s, expectedMembers, null);
        }
    }

    private void judge(Sample s, int expectedMembers, String failedToStart) {
        double loss = expected == 0 ? 0 : 100.0 * lost / expected;
        double p99 = windowLatency.sampleInterval().p99();
        Map<String, Object> step = new LinkedHashMap<>();
        step.put("rooms", roomsNow);
        step.put("participants", expectedMembers);
        step.put("joined", joined.get());
        step.put("loss %", round(loss));
        step.put("p99 one-way ms", round(p99));
        step.put("received pps", round(n == 0 ? 0 : ppsSum / n));
        step.put("relay forwarded pps", round(n == 0 ? 0 : forwardedSum / n));
        step.put("server cpu cores", round(cpuN == 0 ? -1 : cpuSum / cpuN));
        steps.add(step);
        String broke = failedToStart;
        if (broke == null && joined.get() < expectedMembers) {
            broke = (expectedMembers - joined.get()) + " participants could not join";
        } else if (broke == null && expected == 0) {
            broke = "no media arrived";
        } else if (broke == null && loss > maxLossPercent) {
            broke = String.format(Locale.ROOT, "loss %.2f%% over %.2f%%", loss, maxLossPercent);
        } else if (broke == null && p99 > maxP99Ms) {
            broke = String.format(Locale.ROOT, "p99 %.1f ms over %.1f ms", p99, maxP99Ms);
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
        steadySince = -1;
        expected = 0;
        lost = 0;
        ppsSum = 0;
        forwardedSum = 0;
        cpuSum = 0;
        n = 0;
        cpuN = 0;
    }

    private static double round(double v) {
        return Math.round(v * 100) / 100.0;
    }

    /** Capacity steps through its own ramp; its duration is only an upper bound. */
    @Override
    public boolean ready() {
        return true;
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
