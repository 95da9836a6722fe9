package org.parley.relay.bench;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import org.parley.relay.DwellTimeHistogram;
import org.parley.relay.Ice4jSettings;
import org.parley.relay.RelayConfig;
import org.parley.relay.bwe.BweSettings;
import org.parley.relay.RelayMetrics;
import org.parley.relay.RelayServer;
import org.parley.relay.api.JdkHttpRelayApi;

/**
 * The relay alone in its own JVM for {@link RelayLoadBenchmark}: binds loopback only, serves the
 * HTTP control API (secret {@value #SECRET}), prints {@code relay-api <uri>}, then answers lines
 * on stdin: {@code mark} starts a measurement, {@code report} prints what the relay did since
 * (forwarded packets, CPU of the whole process, dwell-time quantiles, GC). EOF ends it.
 */
public final class RelayBenchServer {

    static final String SECRET = "bench";
    /** The address the relay binds, {@code -Dbench.relay-address} (127.0.0.1 unless told). */
    static final String ADDRESS_PROPERTY = "bench.relay-address";
    /**
     * Every receiver's downlink estimate before feedback, {@code -Dbench.initial-bitrate} in bit/s
     * (the relay's default unless set): receivers modelled as remote get nothing and so send no
     * transport-cc feedback, and their estimate would stay at the start value.
     */
    static final String INITIAL_BITRATE_PROPERTY = "bench.initial-bitrate";

    private RelayBenchServer() {
    }

    public static void main(String[] args) throws Exception {
        Ice4jSettings.apply();
        var os = (com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();
        RelayConfig config = new RelayConfig(System.getProperty(ADDRESS_PROPERTY, "127.0.0.1"), 0, 0);
        long initialBps = Long.getLong(INITIAL_BITRATE_PROPERTY, 0);
        if (initialBps > 0) {
            BweSettings d = BweSettings.DEFAULTS;
            config = config.withBwe(new BweSettings(initialBps, d.minBps(), Math.max(initialBps, d.maxBps())));
        }
        try (RelayServer relay = new RelayServer(config, new SimpleMeterRegistry(), Clock.systemUTC())) {
            relay.start();
            try (JdkHttpRelayApi api = new JdkHttpRelayApi(relay.control(), SECRET)) {
                System.out.println("relay-api " + api.base());
                System.out.flush();
                RelayMetrics m = relay.metrics();
                long[] dwell = m.forwardingDwell.snapshot();
                long cpu = os.getProcessCpuTime();
                double out = 0;
                long[] gc = gc();
                long wall = System.nanoTime();
                BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
                String line;
                while ((line = in.readLine()) != null) {
                    if (line.equals("mark")) {
                        dwell = m.forwardingDwell.snapshot();
                        cpu = os.getProcessCpuTime();
                        out = forwarded(m);
                        gc = gc();
                        wall = System.nanoTime();
                        profile("start,event=cpu,interval=1ms");
                        System.out.println("marked");
                    } else if (line.equals("report")) {
                        long[] d = DwellTimeHistogram.since(dwell, m.forwardingDwell.snapshot());
                        double seconds = (System.nanoTime() - wall) / 1e9;
                        long cpuNanos = os.getProcessCpuTime() - cpu;
                        double cpuSeconds = cpuNanos / 1e9;
                        double forwarded = forwarded(m) - out;
                        long[] g = gc();
                        profile("stop,file=" + System.getProperty("bench.profile", "") + ",collapsed");
                        System.out.printf("relay process: forwarded=%.0f in %.1f s, process CPU=%.2f s -> %.0f forwarded "
                                + "packets per CPU-second (whole relay JVM, GC and ice4j threads included)%n",
                                forwarded, seconds, cpuSeconds, forwarded / cpuSeconds);
                        System.out.printf("relay dwell, %d packets: p50=%.3f ms p99=%.3f ms p99.9=%.3f ms max<=%.3f ms%n",
                                DwellTimeHistogram.count(d), DwellTimeHistogram.quantile(d, 0.5) / 1e6,
                                DwellTimeHistogram.quantile(d, 0.99) / 1e6, DwellTimeHistogram.quantile(d, 0.999) / 1e6,
                                DwellTimeHistogram.quantile(d, 1.0) / 1e6);
                        System.out.printf("relay GC: %d collections, %d ms; since start: video in %.0f, out %.0f, "
                                + "drops %s%n", g[0] - gc[0], g[1] - gc[1], m.videoPacketsIn.count(),
                                m.videoPacketsOut.count(), m.dropsByReason());
                        System.out.println("relay cpu-nanos " + cpuNanos);
                        System.out.println("relay end-report");
                    }
                    System.out.flush();
                }
            }
        }
        System.exit(0);
    }

    /**
     * With {@code -Dbench.profile=<file>} and async-profiler's jar on the boot class path (see
     * docs/benchmarks.md), profiles the measured window into collapsed stacks; otherwise nothing.
     */
    private static void profile(String command) {
        if (System.getProperty("bench.profile") == null) {
            return;
        }
        try {
            Class<?> c = Class.forName("one.profiler.AsyncProfiler");
            Object profiler = c.getMethod("getInstance", String.class).invoke(null, System.getProperty("bench.profiler-lib"));
            c.getMethod("execute", String.class).invoke(profiler, command);
        } catch (ReflectiveOperationException e) {
            System.out.println("relay profiler unavailable: " + e);
        }
    }

    private static double forwarded(RelayMetrics m) {
        return m.videoPacketsOut.count() + m.audioPacketsOut.count();
    }

    /** Collections and milliseconds spent in GC so far, over all collectors. */
    static long[] gc() {
        long n = 0;
        long ms = 0;
        for (var bean : ManagementFactory.getGarbageCollectorMXBeans()) {
            n += Math.max(0, bean.getCollectionCount());
            ms += Math.max(0, bean.getCollectionTime());
        }
        return new long[] {n, ms};
    }
}
