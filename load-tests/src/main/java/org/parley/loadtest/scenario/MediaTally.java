package org.parley.loadtest.scenario;

import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Queue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.LongAdder;
import org.parley.loadtest.stats.RunMetrics;
import org.parley.loadtest.stats.SentStream;
import org.parley.loadtest.stats.StreamReception;

/**
 * What every simulated receiver of a run got, per media kind: its streams (each also counted in
 * the run's overall loss and jitter), and the names under which per-kind packets, latencies and
 * keyframes are recorded, made once so the receive path builds no strings.
 */
final class MediaTally {

    /** Counter and latency names of one kind. */
    record Names(String packets, String latency, String keyframes, String keyframeInterval) {
    }

    /** One stream as one receiver sees it (one sender's source). */
    static final class Inbound {
        final MediaKind kind;
        final StreamReception reception;
        /** Arrival of the last keyframe start, 0 before the first; written by one receive thread. */
        long lastKeyframeNanos;

        Inbound(MediaKind kind, StreamReception reception) {
            this.kind = kind;
            this.reception = reception;
        }
    }

    private final RunMetrics metrics;
    private final Map<MediaKind, Names> names = new EnumMap<>(MediaKind.class);
    private final Map<MediaKind, Queue<Inbound>> streams = new EnumMap<>(MediaKind.class);
    /** Every sender's sources by {@link #key}: what receivers of each expect. */
    private final Map<Long, SentStream> sent = new ConcurrentHashMap<>();

    /** Senders' user names by their payload index, for the layer timelines. */
    private final Map<Integer, String> senderNames = new ConcurrentHashMap<>();
    /** Second 0 of the layer timelines. */
    private final long startNanos = System.nanoTime();

    MediaTally(RunMetrics metrics) {
        this.metrics = metrics;
        for (MediaKind k : MediaKind.values()) {
            names.put(k, new Names(RunMetrics.PACKETS_RECEIVED + "." + k.label(), RunMetrics.LATENCY + "." + k.label(),
                    "keyframes.received." + k.label(), "keyframe-interval." + k.label()));
            streams.put(k, new ConcurrentLinkedQueue<>());
        }
    }

    long startNanos() {
        return startNanos;
    }

    /** The device with payload index {@code sender} is {@code user}. */
    void name(int sender, String user) {
        senderNames.put(sender, user);
    }

    String publisherName(int sender) {
        return senderNames.getOrDefault(sender, "sender " + sender);
    }

    RunMetrics metrics() {
        return metrics;
    }

    Names names(MediaKind kind) {
        return names.get(kind);
    }

    /** The source {@code kind} of sender {@code sender} (its payload index), shared by it and its receivers. */
    SentStream sent(int sender, MediaKind kind) {
        return sent.computeIfAbsent(key(sender, kind), k -> metrics.addSender());
    }

    /** One key per sender and kind, as received payloads name them. */
    static long key(int sender, MediaKind kind) {
        return ((long) sender << 2) | kind.ordinal();
    }

    /** A stream a receiver started getting; counted in the run's loss and jitter from now on. */
    Inbound open(int sender, MediaKind kind) {
        return open(sender, kind, true);
    }

    /** @param followsSender false for a simulcast camera (see {@link StreamReception}) */
    Inbound open(int sender, MediaKind kind, boolean followsSender) {
        Inbound s = new Inbound(kind, metrics.addStream(sent(sender, kind), followsSender));
        streams.get(kind).add(s);
        return s;
    }

    /** Streams flowing now (a packet in the last 2 s, receiver still there), over every kind. */
    int flowing() {
        long now = System.nanoTime();
        int n = 0;
        for (Queue<Inbound> q : streams.values()) {
            for (Inbound s : q) {
                if (s.reception.flowing(now)) {
                    n++;
                }
            }
        }
        return n;
    }

    int streams(MediaKind kind) {
        return streams.get(kind).size();
    }

    /**
     * Per kind that was expected or arrived: streams received (and expected), packets expected
     * and lost, loss, and keyframes received for video kinds.
     */
    Map<String, Object> summary(Map<MediaKind, Integer> expectedStreams) {
        Map<String, Object> out = new LinkedHashMap<>();
        for (MediaKind k : MediaKind.values()) {
            int expected = expectedStreams.getOrDefault(k, 0);
            Queue<Inbound> got = streams.get(k);
            if (expected == 0 && got.isEmpty()) {
                continue;
            }
            long packetsExpected = 0;
            long lost = 0;
            for (Inbound s : got) {
                packetsExpected += s.reception.expected();
                lost += s.reception.lost();
            }
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("streams received", got.size());
            m.put("streams expected", expected);
            m.put("packets expected", packetsExpected);
            m.put("packets lost", lost);
            m.put("loss %", packetsExpected == 0 ? 0.0
                    : Double.parseDouble(String.format(Locale.ROOT, "%.3f", 100.0 * lost / packetsExpected)));
            if (k.isVideo()) {
                LongAdder keyframes = metrics.counter(names.get(k).keyframes());
                m.put("keyframes received", keyframes.sum());
            }
            out.put(k.label(), m);
        }
        return out;
    }
}
