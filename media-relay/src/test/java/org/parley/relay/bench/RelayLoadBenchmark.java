package org.parley.relay.bench;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadInfo;
import java.lang.management.ThreadMXBean;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import org.parley.relay.DwellTimeHistogram;
import org.parley.relay.client.ReceivedPacket;
import org.parley.relay.client.RelayHarness;
import org.parley.relay.client.RelayTestClient;

/**
 * The whole relay under load: one publisher's video goes to N receivers through the real relay
 * (ICE, SRTP, rewriting), all on loopback in one JVM. Reports forwarded packets per second, per
 * second of CPU spent by the relay's packet threads, and send-to-receive latency percentiles
 * (which include both clients' SRTP and the loopback hops, so they bound the relay's share).
 * Run: {@code java -cp <test classpath> org.parley.relay.bench.RelayLoadBenchmark [receivers] [pps] [seconds]}
 */
public final class RelayLoadBenchmark {

    public static void main(String[] args) throws Exception {
        int receivers = args.length > 0 ? Integer.parseInt(args[0]) : 10;
        int pps = args.length > 1 ? Integer.parseInt(args[1]) : 1000;
        int seconds = args.length > 2 ? Integer.parseInt(args[2]) : 10;
        try (RelayHarness h = new RelayHarness()) {
            RelayTestClient publisher = h.join("pub", true);
            List<RelayTestClient> subs = new ArrayList<>();
            for (int i = 0; i < receivers; i++) {
                subs.add(h.join("sub" + i, false));
            }
            h.await(() -> publisher.isPublisherConnected() && subs.stream().allMatch(RelayTestClient::isSubscriberConnected),
                    60_000, "clients did not connect");
            List<long[]> latencies = new ArrayList<>();
            AtomicLong received = new AtomicLong();
            List<Thread> readers = new ArrayList<>();
            int total = pps * seconds;
            for (RelayTestClient s : subs) {
                long[] lat = new long[total + 16];
                latencies.add(lat);
                Thread t = new Thread(() -> {
                    int n = 0;
                    try {
                        ReceivedPacket p;
                        while ((p = s.poll(2000)) != null) {
                            byte[] b = p.payload();
                            if (b.length >= 10) {
                                long sent = java.nio.ByteBuffer.wrap(b, 2, 8).getLong();
                                if (n < lat.length) {
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
            ThreadMXBean mx = ManagementFactory.getThreadMXBean();
            long cpuBefore = relayCpu(mx);
            long[] dwellBefore = h.relay().metrics().forwardingDwell.snapshot();
            long[] gcBefore = gc();
            byte[] payload = new byte[1000];
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
            System.out.println("publisher send failures: " + sendFailures);
            for (Thread t : readers) {
                t.join();
            }
            long cpu = relayCpu(mx) - cpuBefore;
            long[] dwell = DwellTimeHistogram.since(dwellBefore, h.relay().metrics().forwardingDwell.snapshot());
            long[] gcAfter = gc();
            var m = h.relay().metrics();
            System.out.printf("relay: video in=%.0f out=%.0f waiting-for-keyframe=%.0f not-connected=%.0f send-failed=%.0f%n",
                    m.videoPacketsIn.count(), m.videoPacketsOut.count(),
                    m.dropped(org.parley.relay.RelayMetrics.Drop.WAITING_FOR_KEYFRAME),
                    m.dropped(org.parley.relay.RelayMetrics.Drop.NOT_CONNECTED),
                    m.dropped(org.parley.relay.RelayMetrics.Drop.SEND_FAILED));
            long[] all = latencies.stream().flatMapToLong(l -> Arrays.stream(l, 0, (int) l[l.length - 1])).sorted()
                    .toArray();
            double forwarded = received.get();
            System.out.printf("receivers=%d sent=%d pps=%d duration=%.1fs%n", receivers, total, pps, elapsed / 1e9);
            System.out.printf("forwarded=%d (%.1f%% of %d expected)%n", received.get(), 100 * forwarded / (total * (double) receivers),
                    total * receivers);
            System.out.printf("forwarded/s=%.0f relay packet-thread CPU=%.2fs -> %.0f forwarded packets per CPU-second%n",
                    forwarded / (elapsed / 1e9), cpu / 1e9, forwarded / (cpu / 1e9));
            System.out.printf("latency send->receive p50=%.3f ms p99=%.3f ms max=%.3f ms%n",
                    all[all.length / 2] / 1e6, all[(int) (all.length * 0.99)] / 1e6, all[all.length - 1] / 1e6);
            System.out.printf("relay dwell (receive thread has the datagram -> last copy sent), %d packets: "
                    + "p50=%.3f ms p99=%.3f ms p99.9=%.3f ms max<=%.3f ms%n", DwellTimeHistogram.count(dwell),
                    DwellTimeHistogram.quantile(dwell, 0.5) / 1e6, DwellTimeHistogram.quantile(dwell, 0.99) / 1e6,
                    DwellTimeHistogram.quantile(dwell, 0.999) / 1e6, DwellTimeHistogram.quantile(dwell, 1.0) / 1e6);
            System.out.printf("GC during run: %d collections, %d ms%n", gcAfter[0] - gcBefore[0], gcAfter[1] - gcBefore[1]);
            System.out.printf("load average during run: %.1f%n", ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage());
        }
        System.exit(0);
    }

    /** Collections and milliseconds spent in GC so far, over all collectors. */
    private static long[] gc() {
        long n = 0;
        long ms = 0;
        for (var bean : ManagementFactory.getGarbageCollectorMXBeans()) {
            n += Math.max(0, bean.getCollectionCount());
            ms += Math.max(0, bean.getCollectionTime());
        }
        return new long[] {n, ms};
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
