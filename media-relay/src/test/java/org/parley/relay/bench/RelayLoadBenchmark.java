package org.parley.relay.bench;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadInfo;
import java.lang.management.ThreadMXBean;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.parley.relay.DwellTimeHistogram;
import org.parley.relay.client.ReceivedPacket;
import org.parley.relay.client.RelayHarness;
import org.parley.relay.client.RelayTestClient;

/**
 * The whole relay under load: one publisher's video goes to N receivers through the real relay
 * (ICE, SRTP, rewriting) on loopback. Reports forwarded packets per second and per CPU-second,
 * the relay's own dwell time per forwarded packet (the latency it adds: from its receive thread
 * having the datagram to the last copy handed to the socket) and the clients' send-to-receive
 * latency (which adds both clients' SRTP, ice4j's socket threads on both sides and the loopback
 * hops, so it bounds the relay's share from above).
 *
 * <p>With {@code --separate-process} the relay runs in its own JVM ({@link RelayBenchServer},
 * driven over the HTTP control API), so its figures are not mixed with the clients' threads and
 * garbage, and its CPU is the whole process's.
 *
 * <p>With {@code --janus} the same clients and packets go through Janus's VideoRoom instead
 * ({@link JanusProcess}, {@link JanusVideoRoom}), for issue 18's comparison. Both ways end with a
 * line {@code sfu: <name> received=<packets the receivers got> cpu=<seconds of the SFU process>
 * per-cpu-second=<the ratio>}, counted the same way for both (scripts/janus-compare.sh reads it).
 *
 * <p>With {@code --separate-process --remote-receivers} the receivers stay connected but the
 * relay's video copies to them are counted and dropped where they leave for the loopback device
 * ({@link RemoteReceivers}), so the relay is not charged for delivering them into 50 sockets and
 * waking 50 threads, which a relay with receivers on other machines does not pay. The count of
 * copies that left stands in for what the receivers got; nothing checks their decryption
 * (the other modes do). Each receiver sends a receiver report a second, as a browser does; the
 * transport-cc feedback real receivers would send about what arrived is missing from the relay's
 * load in this mode.
 *
 * <p>The first 5 s of sending are a warm-up (JIT) that is not measured.
 *
 * <p>Run: {@code java -cp <test classpath> org.parley.relay.bench.RelayLoadBenchmark
 * [--separate-process [--remote-receivers] | --janus] [receivers] [pps] [seconds]}
 */
public final class RelayLoadBenchmark {

    /** Seconds of unmeasured sending first (JIT), {@code -Dbench.warm-up-seconds}. */
    private static final int WARM_UP_SECONDS = Integer.getInteger("bench.warm-up-seconds", 5);

    public static void main(String[] args) throws Exception {
        List<String> rest = new ArrayList<>(Arrays.asList(args));
        boolean separate = rest.remove("--separate-process");
        boolean janus = rest.remove("--janus");
        boolean remote = rest.remove("--remote-receivers");
        if (remote && !separate) {
            throw new IllegalArgumentException("--remote-receivers needs --separate-process");
        }
        int receivers = rest.size() > 0 ? Integer.parseInt(rest.get(0)) : 10;
        int pps = rest.size() > 1 ? Integer.parseInt(rest.get(1)) : 1000;
        int seconds = rest.size() > 2 ? Integer.parseInt(rest.get(2)) : 10;
        if (janus) {
            runAgainstJanus(receivers, pps, seconds);
        } else if (separate) {
            runAgainstRelayProcess(receivers, pps, seconds, remote);
        } else {
            try (RelayHarness h = new RelayHarness()) {
                ThreadMXBean mx = ManagementFactory.getThreadMXBean();
                long[] cpuBefore = new long[1];
                long[][] dwellBefore = new long[1][];
                long[][] gcBefore = new long[1][];
                Result r = run(h, receivers, pps, seconds, null, () -> {
                    cpuBefore[0] = relayCpu(mx);
                    dwellBefore[0] = h.relay().metrics().forwardingDwell.snapshot();
                    gcBefore[0] = RelayBenchServer.gc();
                });
                long cpu = relayCpu(mx) - cpuBefore[0];
                long[] dwell = DwellTimeHistogram.since(dwellBefore[0], h.relay().metrics().forwardingDwell.snapshot());
                long[] gcAfter = RelayBenchServer.gc();
                var m = h.relay().metrics();
                System.out.printf("relay: video in=%.0f out=%.0f drops %s%n", m.videoPacketsIn.count(),
                        m.videoPacketsOut.count(), m.dropsByReason());
                r.print();
                System.out.printf("relay packet-thread CPU=%.2fs -> %.0f forwarded packets per CPU-second%n", cpu / 1e9,
                        r.received / (cpu / 1e9));
                System.out.printf("relay dwell, %d packets: p50=%.3f ms p99=%.3f ms p99.9=%.3f ms max<=%.3f ms%n",
                        DwellTimeHistogram.count(dwell), DwellTimeHistogram.quantile(dwell, 0.5) / 1e6,
                        DwellTimeHistogram.quantile(dwell, 0.99) / 1e6, DwellTimeHistogram.quantile(dwell, 0.999) / 1e6,
                        DwellTimeHistogram.quantile(dwell, 1.0) / 1e6);
                System.out.printf("GC during run (relay and clients share the JVM): %d collections, %d ms%n",
                        gcAfter[0] - gcBefore[0][0], gcAfter[1] - gcBefore[0][1]);
            }
        }
        System.out.printf("load average at the end: %.1f%n", ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage());
        System.exit(0);
    }

    /** The same load through Janus's VideoRoom in a child process. */
    private static void runAgainstJanus(int receivers, int pps, int seconds) throws Exception {
        try (JanusProcess janus = JanusProcess.start();
                JanusVideoRoom room = new JanusVideoRoom(janus.api(), JanusProcess.ROOM);
                RelayHarness h = new RelayHarness(room, JanusProcess.address())) {
            long[] cpuBefore = new long[1];
            Result r = run(h, receivers, pps, seconds, null, () -> cpuBefore[0] = janus.cpuNanos());
            long cpu = janus.cpuNanos() - cpuBefore[0];
            r.print();
            printSfuLine("janus", r.received, cpu);
        }
    }

    private static void printSfuLine(String sfu, long received, long cpuNanos) {
        System.out.printf("sfu: %s received=%d cpu=%.2f per-cpu-second=%.0f%n", sfu, received, cpuNanos / 1e9,
                received / (cpuNanos / 1e9));
    }

    /** The relay alone in a child JVM ({@link RelayProcess}), its CPU the whole process's. */
    private static void runAgainstRelayProcess(int receivers, int pps, int seconds, boolean remote) throws Exception {
        try (RelayProcess relay = RelayProcess.start(remote);
                RelayHarness h = new RelayHarness(relay.control());
                RemoteReceivers wire = remote ? RemoteReceivers.install() : null) {
            Result r = run(h, receivers, pps, seconds, wire, relay::mark);
            r.print();
            printSfuLine("parley", r.received, relay.report());
        }
    }

    /** What the clients saw. */
    private record Result(int receivers, int sent, int pps, long elapsedNanos, long received, int sendFailures,
            long[] latencies) {
        void print() {
            double expected = sent * (double) receivers;
            System.out.printf("receivers=%d sent=%d pps=%d duration=%.1fs publisher send failures=%d%n", receivers, sent,
                    pps, elapsedNanos / 1e9, sendFailures);
            System.out.printf("forwarded=%d (%.1f%% of %.0f expected), %.0f forwarded/s%n", received,
                    100 * received / expected, expected, received / (elapsedNanos / 1e9));
            if (latencies.length == 0) {
                return;
            }
            System.out.printf("clients' send->receive latency p50=%.3f ms p99=%.3f ms max=%.3f ms%n",
                    latencies[latencies.length / 2] / 1e6, latencies[(int) (latencies.length * 0.99)] / 1e6,
                    latencies[latencies.length - 1] / 1e6);
        }
    }

    /**
     * Joins the clients, sends the warm-up and then the measured packets. What the receivers got
     * is what their readers counted, or with {@code wire} (remote receivers) the copies that
     * left the relay during the window.
     */
    private static Result run(RelayHarness h, int receivers, int pps, int seconds, RemoteReceivers wire,
            Runnable atStart) throws Exception {
        RelayTestClient publisher = h.join("pub", true);
        List<RelayTestClient> subs = new ArrayList<>();
        for (int i = 0; i < receivers; i++) {
            subs.add(h.join("sub" + i, false));
        }
        h.await(() -> publisher.isPublisherConnected() && subs.stream().allMatch(RelayTestClient::isSubscriberConnected),
                60_000, "clients did not connect");
        // Receivers whose media is dropped on the way send nothing back by themselves; a
        // receiver report each second, as a browser sends, keeps them alive past the relay's
        // endpoint timeout (their transport-cc feedback, which depends on what arrives, is missing).
        ScheduledExecutorService reports = Executors.newSingleThreadScheduledExecutor();
        if (wire != null) {
            reports.scheduleAtFixedRate(() -> subs.forEach(RelayTestClient::sendReceiverReport), 1, 1, TimeUnit.SECONDS);
        }
        List<long[]> latencies = new ArrayList<>();
        AtomicLong received = new AtomicLong();
        List<Thread> readers = new ArrayList<>();
        int total = pps * seconds;
        for (RelayTestClient s : wire != null ? List.<RelayTestClient>of() : subs) {
            long[] lat = new long[total + 16];
            latencies.add(lat);
            Thread t = new Thread(() -> {
                int n = 0;
                try {
                    ReceivedPacket p;
                    // The first packet may take a while on a busy machine; after it, 2 s of
                    // silence means the publisher is done.
                    while ((p = s.poll(n == 0 ? 30_000 : 2000)) != null) {
                        byte[] b = p.payload();
                        long sent = b.length >= 10 ? java.nio.ByteBuffer.wrap(b, 2, 8).getLong() : 0;
                        if (sent != 0) { // 0: a warm-up packet
                            if (n < lat.length - 1) {
                                lat[n++] = p.receivedNanos() - sent;
                            }
                            received.incrementAndGet();
                        }
                    }
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
                lat[lat.length - 1] = n;
            });
            t.start();
            readers.add(t);
        }
        byte[] payload = new byte[1000];
        // Warm-up, not measured: JIT-compile the packet path in the relay and the clients.
        for (int i = 0; i < WARM_UP_SECONDS * pps; i++) {
            java.util.concurrent.locks.LockSupport.parkNanos(1_000_000_000L / pps);
            publisher.sendVideoFrame(payload);
        }
        Thread.sleep(500);
        long wireBefore = wire != null ? wire.sent() : 0;
        atStart.run();
        int sendFailures = 0;
        long start = System.nanoTime();
        long interval = 1_000_000_000L / pps;
        for (int i = 0; i < total; i++) {
            long due = start + i * interval;
            long wait = due - System.nanoTime();
            if (wait > 0) {
                java.util.concurrent.locks.LockSupport.parkNanos(wait);
            }
            java.nio.ByteBuffer.wrap(payload).putLong(0, System.nanoTime());
            if (!publisher.sendVideoFrame(payload)) {
                sendFailures++;
            }
        }
        long elapsed = System.nanoTime() - start;
        for (Thread t : readers) {
            t.join();
        }
        reports.shutdownNow();
        if (wire != null) {
            Thread.sleep(500); // the last packets' fan-out
            received.set(wire.sent() - wireBefore);
        }
        long[] all = latencies.stream().flatMapToLong(l -> Arrays.stream(l, 0, (int) l[l.length - 1])).sorted()
                .toArray();
        return new Result(receivers, total, pps, elapsed, received.get(), sendFailures, all);
    }

    /** CPU time of the relay's transport threads (named ice-conf/...) and ice4j's socket threads. */
    private static long relayCpu(ThreadMXBean mx) {
        long sum = 0;
        for (ThreadInfo info : mx.getThreadInfo(mx.getAllThreadIds())) {
            if (info == null) {
                continue;
            }
            String n = info.getThreadName();
            if (n.startsWith("ice-" + RelayHarness.CONFERENCE + "/") || n.contains("SinglePort") || n.contains("UdpListener")) {
                long t = mx.getThreadCpuTime(info.getThreadId());
                if (t > 0) {
                    sum += t;
                }
            }
        }
        return sum;
    }
}
