package org.parley.relay.bench;

import com.sun.management.OperatingSystemMXBean;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.List;
import org.parley.relay.RelayConfig;
import org.parley.relay.cascade.LinkSocket;
import org.parley.relay.client.RelayHarness;
import org.parley.relay.client.RelayTestClient;
import org.parley.relay.control.LinkSpec;

/**
 * What cascading costs per forwarded packet: one publisher's video to N receivers, first all on
 * the publisher's relay, then all on a second relay linked to it (every packet crosses the link
 * once, then fans out there). Both relays and every client run in this JVM, so the CPU figure is
 * the whole process's (clients' SRTP and sockets included): an upper bound of the relays' share,
 * and the difference between the two runs is what the link adds (SRTP protect, a datagram, SRTP
 * unprotect, the far relay's bookkeeping).
 *
 * <p>Run: {@code java -cp <test classpath> org.parley.relay.bench.CascadeBenchmark [receivers] [pps] [seconds]}
 */
public final class CascadeBenchmark {

    private static final OperatingSystemMXBean OS =
            (OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();

    public static void main(String[] args) throws Exception {
        int receivers = args.length > 0 ? Integer.parseInt(args[0]) : 10;
        int pps = args.length > 1 ? Integer.parseInt(args[1]) : 300;
        int seconds = args.length > 2 ? Integer.parseInt(args[2]) : 10;
        for (boolean cascaded : new boolean[] {false, true}) {
            run(cascaded, receivers, pps, seconds);
        }
        System.exit(0);
    }

    private static void run(boolean cascaded, int n, int pps, int seconds) throws Exception {
        RelayConfig config = new RelayConfig("127.0.0.1", 0, 0).withCascadePort(0);
        try (RelayHarness a = new RelayHarness(config); RelayHarness b = new RelayHarness(config)) {
            if (cascaded) {
                byte[] keys = new byte[LinkSocket.KEYING_MATERIAL_LENGTH];
                new SecureRandom().nextBytes(keys);
                a.control().linkConference(RelayHarness.CONFERENCE, "b", new LinkSpec(1, b.control().linkAddress(), keys, true));
                b.control().linkConference(RelayHarness.CONFERENCE, "a", new LinkSpec(1, a.control().linkAddress(), keys, false));
            }
            RelayTestClient publisher = a.join("publisher", true);
            RelayHarness side = cascaded ? b : a;
            List<RelayTestClient> rs = new ArrayList<>();
            for (int i = 0; i < n; i++) {
                rs.add(side.join("r" + i, false));
            }
            byte[] payload = new byte[1000];
            long deadline = System.nanoTime() + 30_000_000_000L;
            while (!rs.stream().allMatch(RelayTestClient::isSubscriberConnected) && System.nanoTime() < deadline) {
                a.ferry();
                b.ferry();
                publisher.sendVideoFrame(payload);
                Thread.sleep(20);
            }
            long interval = 1_000_000_000L / pps;
            send(publisher, payload, interval, 5, rs); // warm-up
            long received0 = drained(rs);
            long cpu0 = OS.getProcessCpuTime();
            long sent = send(publisher, payload, interval, seconds, rs);
            long cpu = OS.getProcessCpuTime() - cpu0;
            Thread.sleep(300);
            long received = drained(rs) - received0;
            System.out.printf("%s 1 -> %d at %d pps, %d s: sent %d, received %d (%.2f %% loss), process CPU %.2f s,"
                    + " %.1f us per forwarded packet (all threads, clients included), load %.2f%n",
                    cascaded ? "cascaded" : "direct  ", n, pps, seconds, sent, received,
                    100.0 * (sent * n - received) / (sent * n), cpu / 1e9, cpu / 1e3 / Math.max(1, received),
                    OS.getSystemLoadAverage());
            rs.forEach(RelayTestClient::close);
            publisher.close();
        }
    }

    private static final long[] COUNT = new long[1];

    private static long send(RelayTestClient publisher, byte[] payload, long interval, int seconds,
            List<RelayTestClient> rs) throws InterruptedException {
        long start = System.nanoTime();
        long end = start + seconds * 1_000_000_000L;
        long next = start;
        long sent = 0;
        while (System.nanoTime() < end) {
            publisher.sendVideoFrame(payload);
            sent++;
            next += interval;
            drained(rs);
            long wait = next - System.nanoTime();
            if (wait > 0) {
                Thread.sleep(wait / 1_000_000, (int) (wait % 1_000_000));
            }
        }
        return sent;
    }

    /** Takes what the receivers have; returns the total taken so far. */
    private static long drained(List<RelayTestClient> rs) throws InterruptedException {
        for (RelayTestClient r : rs) {
            while (r.poll(0) != null) {
                COUNT[0]++;
            }
        }
        return COUNT[0];
    }
}
