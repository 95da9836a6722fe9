package org.parley.relay.bench;

import java.lang.management.ManagementFactory;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import org.parley.relay.client.RelayHarness;
import org.parley.relay.client.RelayTestClient;

/**
 * Issue 18's room loads against the relay alone: {@code rooms} conferences of {@code members},
 * the first {@code senders} of each sending audio (50 packets/s of 80 bytes, Opus at 32 kbit/s)
 * and video (30 frames/s of 1,250 bytes, 300 kbit/s, one packet a frame), everyone subscribed to
 * everyone else in the room. Real ICE, DTLS and SRTP from Java clients; the relay in its own JVM
 * ({@link RelayProcess}) bound to 127.0.0.2, its receivers modelled as off the machine
 * ({@link RemoteReceivers}: the copies are counted and dropped where a network card would take
 * them), because on 2 cores a JVM receiving and decrypting every copy for 50-100 clients takes
 * more CPU than the relay does and loses packets itself (docs/benchmarks.md).
 *
 * <p>Loss is what the relay failed to send: every packet a sender sent in the measured window,
 * times the room's other members, against the copies counted at the hook. Senders are spread
 * over each 20 ms (audio) and 33 ms (video) period, as independent clients would be.
 *
 * <p>Usage (root, in a network namespace of its own, see docs/benchmarks.md):
 * {@code RoomLoadBenchmark rooms members senders seconds}, e.g. {@code 20 5 5 15} and
 * {@code 1 50 10 15}; {@code -Dbench.warm-up-seconds} (default 20) of unmeasured sending first.
 */
public final class RoomLoadBenchmark {

    private static final int WARM_UP_SECONDS = Integer.getInteger("bench.warm-up-seconds", 20);
    private static final int AUDIO_PERIOD_MILLIS = 20;
    private static final int VIDEO_FPS = 30;
    private static final byte[] AUDIO = new byte[80];
    private static final byte[] VIDEO = new byte[1250];
    /** Each receiver's downlink estimate: room for 49 senders' audio and video. */
    private static final long INITIAL_BPS = 20_000_000;

    private RoomLoadBenchmark() {
    }

    public static void main(String[] args) throws Exception {
        if (args.length != 4) {
            throw new IllegalArgumentException("usage: RoomLoadBenchmark rooms members senders seconds");
        }
        int rooms = Integer.parseInt(args[0]);
        int members = Integer.parseInt(args[1]);
        int senders = Integer.parseInt(args[2]);
        int seconds = Integer.parseInt(args[3]);
        if (senders > members || members < 2) {
            throw new IllegalArgumentException("need 2 or more members and no more senders than members");
        }
        // Receivers modelled as remote get nothing and send no transport-cc feedback, so their
        // downlink estimates would stay at the relay's initial 1 Mbit/s, which fits two or three
        // of a room's videos: start them where receivers on roomy links would soon be.
        try (RelayProcess relay = RelayProcess.start(true, "-D" + RelayBenchServer.INITIAL_BITRATE_PROPERTY + "=" + INITIAL_BPS);
                RelayHarness h = new RelayHarness(relay.control());
                RemoteReceivers wire = RemoteReceivers.install()) {
            List<RelayTestClient> all = new ArrayList<>();
            List<RelayTestClient> sending = new ArrayList<>();
            for (int r = 0; r < rooms; r++) {
                for (int m = 0; m < members; m++) {
                    RelayTestClient c = h.join("room" + r, "r" + r + "m" + m, m < senders);
                    all.add(c);
                    if (m < senders) {
                        sending.add(c);
                    }
                }
            }
            // Every member subscribes to the room's other senders: a sender to senders - 1.
            h.await(() -> sending.stream().allMatch(RelayTestClient::isPublisherConnected)
                    && all.stream().allMatch(RelayTestClient::isSubscriberConnected), 120_000, "clients did not connect");
            // Receivers whose media is dropped on the way send nothing back by themselves: a
            // receiver report each second, as a browser sends, keeps them alive. The relay offers
            // a subscriber each later sender again (renegotiation): those offers are answered all
            // along, as signaling would.
            ScheduledExecutorService reports = Executors.newSingleThreadScheduledExecutor();
            reports.scheduleAtFixedRate(() -> all.forEach(RelayTestClient::sendReceiverReport), 1, 1, TimeUnit.SECONDS);
            reports.scheduleWithFixedDelay(h::ferry, 100, 100, TimeUnit.MILLISECONDS);
            try {
                send(sending, WARM_UP_SECONDS);
                Thread.sleep(500);
                long before = wire.sent();
                relay.mark();
                long start = System.nanoTime();
                long[] sent = send(sending, seconds);
                long elapsed = System.nanoTime() - start;
                Thread.sleep(500); // the last packets' fan-out
                long copies = wire.sent() - before;
                long expected = (sent[0] + sent[1]) * (members - 1L);
                System.out.printf("rooms=%d members=%d senders=%d: %d audio and %d video packets sent in %.1f s"
                        + " (%d refused by the senders' own sockets)%n", rooms, members, senders, sent[0], sent[1],
                        elapsed / 1e9, sent[2]);
                System.out.printf("relay sent %d of %d copies (loss %.3f %%), %.0f copies/s%n", copies, expected,
                        100.0 * (expected - copies) / expected, copies / (elapsed / 1e9));
                long cpu = relay.report();
                System.out.printf("sfu: parley received=%d cpu=%.2f per-cpu-second=%.0f cores=%.2f%n", copies, cpu / 1e9,
                        copies / (cpu / 1e9), cpu / (double) elapsed);
            } finally {
                reports.shutdownNow();
            }
        }
        System.out.printf("load average at the end: %.1f%n", ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage());
        System.exit(0);
    }

    /**
     * Sends for {@code seconds} from one pacing thread, each sender offset within the periods.
     * Returns audio packets, video packets and sends the client's socket refused.
     */
    private static long[] send(List<RelayTestClient> senders, int seconds) {
        long audio = 0;
        long video = 0;
        long refused = 0;
        int n = senders.size();
        long start = System.nanoTime();
        for (int ms = 0; ms < seconds * 1000; ms++) {
            long wait = start + ms * 1_000_000L - System.nanoTime();
            if (wait > 0) {
                LockSupport.parkNanos(wait);
            }
            for (int i = 0; i < n; i++) {
                int t = ms + (int) ((long) i * 1000 / n);
                RelayTestClient c = senders.get(i);
                if (t % AUDIO_PERIOD_MILLIS == 0) {
                    audio++;
                    refused += c.sendAudio(AUDIO, 30) ? 0 : 1;
                }
                if (t * VIDEO_FPS / 1000 != (t - 1) * VIDEO_FPS / 1000) {
                    video++;
                    refused += c.sendVideoFrame(VIDEO) ? 0 : 1;
                }
            }
        }
        return new long[] {audio, video, refused};
    }
}
