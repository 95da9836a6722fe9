package org.parley.loadtest;

import java.io.PrintStream;
import java.net.http.HttpClient;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.HdrHistogram.Histogram;
import org.parley.loadtest.report.ResultWriter;
import org.parley.loadtest.report.RunResult;
import org.parley.loadtest.report.TextSummary;
import org.parley.loadtest.scenario.RunContext;
import org.parley.loadtest.scenario.Scenario;
import org.parley.loadtest.stats.LatencyMetric;
import org.parley.loadtest.stats.Percentiles;
import org.parley.loadtest.stats.RunMetrics;
import org.parley.loadtest.stats.Sample;
import org.parley.loadtest.stats.Sampler;
import org.parley.loadtest.stats.StreamReception;
import org.parley.loadtest.target.ClusterMetrics;
import org.parley.loadtest.target.Targets;

/**
 * One run of one scenario: starts it, samples once a second (printing the progress line), stops
 * it at the end of the duration (or when it says it is done), and writes the result and report.
 */
public final class LoadRun {

    /** Percentiles drawn in the distribution charts. */
    private static final double[] DISTRIBUTION = {0, 10, 25, 50, 75, 90, 95, 99, 99.5, 99.9, 99.99, 100};

    private final Scenario scenario;
    private final Targets target;
    private final Tokens tokens;
    private final Duration duration;
    private final Duration rampTimeout;
    private final Path out;
    private final int workers;
    private final boolean scrapeServer;
    private final List<String> command;
    private final Map<String, Object> commonSettings;
    private final PrintStream log;
    private final Thresholds thresholds;

    LoadRun(Scenario scenario, Targets target, Tokens tokens, Duration duration, Duration rampTimeout, Path out,
            int workers, boolean scrapeServer, List<String> command, Map<String, Object> commonSettings,
            Thresholds thresholds, PrintStream log) {
        this.thresholds = thresholds;
        this.rampTimeout = rampTimeout;
        this.scenario = scenario;
        this.target = target;
        this.tokens = tokens;
        this.duration = duration;
        this.out = out;
        this.workers = workers;
        this.scrapeServer = scrapeServer;
        this.command = command;
        this.commonSettings = commonSettings;
        this.log = log;
    }

    /** Runs to the end; returns the result (also written to {@code out}). */
    public RunResult execute() throws Exception {
        AtomicInteger threadIds = new AtomicInteger();
        ScheduledExecutorService scheduler = Executors.newScheduledThreadPool(2, r -> daemon(r, "load-timer-", threadIds));
        ExecutorService pool = Executors.newFixedThreadPool(workers, r -> daemon(r, "load-worker-", threadIds));
        HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
        RunMetrics metrics = new RunMetrics();
        String runId = "lt" + Long.toString(ThreadLocalRandom.current().nextLong(36L * 36 * 36 * 36 * 36), 36);
        RunContext ctx = new RunContext(target, tokens, metrics, scheduler, pool, http, runId, log);
        ClusterMetrics server = new ClusterMetrics(http, target);
        Instant startedAt = Instant.now();
        long start = System.nanoTime();
        Sampler sampler = new Sampler(metrics, start);
        List<Sample> samples = new ArrayList<>();
        log.println("parley-load " + scenario.name() + " -> " + target + " for " + duration.toSeconds()
                + " s (run id " + runId + ")");
        try {
            if (scrapeServer) {
                server.scrape();
            }
            scenario.start(ctx);
            // The duration counts from when the load is in place (or the ramp timed out).
            long rampEnd = start + rampTimeout.toNanos();
            long end = Long.MAX_VALUE;
            // A second from when the scenario started (its start may take seconds, e.g. SRTP
            // warm-up): the progress lines missed meanwhile are not made up all at once.
            long next = System.nanoTime() + TimeUnit.SECONDS.toNanos(1);
            String lastError = null;
            while (true) {
                long now = System.nanoTime();
                if (end == Long.MAX_VALUE && (scenario.ready() || now >= rampEnd)) {
                    end = now + duration.toNanos();
                    log.println(String.format(java.util.Locale.ROOT, "%s after %.1f s; holding the load for %d s",
                            scenario.ready() ? "load in place" : "ramp-up timed out", (now - start) / 1e9,
                            duration.toSeconds()));
                }
                long wait = Math.min(next, end) - now;
                if (wait > 0) {
                    TimeUnit.NANOSECONDS.sleep(wait);
                    now = System.nanoTime();
                }
                if (scrapeServer) {
                    server.scrape();
                }
                Sample s = sampler.sample(now, server.cpuCores(), server.forwardedPerSecond());
                samples.add(s);
                scenario.onSample(s);
                log.println(ProgressLine.format(s, scenario.progress(s)));
                String err = metrics.lastError();
                if (err != null && !err.equals(lastError)) {
                    log.println("         last error: " + err);
                    lastError = err;
                }
                if (now >= end || scenario.finished()) {
                    break;
                }
                next += TimeUnit.SECONDS.toNanos(1);
                if (next - System.nanoTime() <= 0) {
                    next = System.nanoTime() + TimeUnit.SECONDS.toNanos(1); // a stalled second is skipped, not repeated
                }
            }
        } finally {
            log.println("stopping " + scenario.name() + " ...");
            scenario.stop();
            pool.shutdownNow();
            scheduler.shutdownNow();
        }
        Sample last = sampler.sample(System.nanoTime(), server.cpuCores(), server.forwardedPerSecond());
        samples.add(last);
        RunResult unjudged = result(startedAt, (System.nanoTime() - start) / 1e9, metrics, samples);
        RunResult result = unjudged.withThresholds(thresholds.judge(unjudged));
        ResultWriter.write(result, out);
        TextSummary.print(result, log);
        scenario.consoleReport().forEach(line -> log.println("  " + line));
        log.println("result: " + out.resolve(ResultWriter.JSON_FILE) + "  report: " + out.resolve(ResultWriter.HTML_FILE));
        return result;
    }

    private RunResult result(Instant startedAt, double seconds, RunMetrics metrics, List<Sample> samples) {
        Map<String, Percentiles> latencies = new TreeMap<>();
        Map<String, List<double[]>> distributions = new TreeMap<>();
        for (LatencyMetric m : metrics.latencies().values()) {
            latencies.put(m.name(), m.total());
            Histogram h = m.totalHistogram();
            List<double[]> d = new ArrayList<>();
            if (h.getTotalCount() > 0) {
                for (double p : DISTRIBUTION) {
                    d.add(new double[] {p, h.getValueAtPercentile(p) / 1000.0});
                }
            }
            distributions.put(m.name(), d);
        }
        Map<String, Long> totals = new TreeMap<>();
        metrics.counters().forEach((k, v) -> totals.put(k, v.sum()));
        long[] loss = metrics.loss();
        long expected = loss[0];
        long lost = loss[1];
        int participantsMax = 0;
        double cpuSum = 0;
        double cpuMax = -1;
        int cpuN = 0;
        double fwdMax = -1;
        for (Sample s : samples) {
            participantsMax = Math.max(participantsMax, s.participants());
            if (s.serverCpu() >= 0) {
                cpuSum += s.serverCpu();
                cpuN++;
                cpuMax = Math.max(cpuMax, s.serverCpu());
            }
            fwdMax = Math.max(fwdMax, s.serverForwardedPps());
        }
        Map<String, Object> settings = new LinkedHashMap<>(commonSettings);
        settings.putAll(scenario.settings());
        return new RunResult("parley-load", scenario.name(), command, target.toString(),
                startedAt.toString(), seconds, settings, latencies, distributions, totals, expected, lost,
                expected == 0 ? 0 : 100.0 * lost / expected, participantsMax, cpuN == 0 ? -1 : cpuSum / cpuN,
                cpuMax, fwdMax, scenario.summary(), samples, jitter(metrics), scenario.members(), List.of());
    }

    private static double jitter(RunMetrics metrics) {
        return metrics.streams().stream().mapToDouble(StreamReception::jitterMillis).average().orElse(0);
    }

    private static Thread daemon(Runnable r, String prefix, AtomicInteger ids) {
        Thread t = new Thread(r, prefix + ids.incrementAndGet());
        t.setDaemon(true);
        return t;
    }
}
