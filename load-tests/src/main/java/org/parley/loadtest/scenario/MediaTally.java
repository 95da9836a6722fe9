package org.parley.loadtest.scenario;

import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.LongAdder;
import org.parley.loadtest.stats.JitterEstimator;
import org.parley.loadtest.stats.RunMetrics;
import org.parley.loadtest.stats.SequenceTracker;

/**
 * What every simulated receiver of a run got, per media kind: its streams (each also counted in
 * the run's overall loss and jitter), and the names under which per-kind packets, latencies and
 * keyframes are recorded, made once so the receive path builds no strings.
 */
final class MediaTally {

    /** Jitter is computed in 90 kHz units of the sender's send time (video's RTP clock rate). */
    private static final int JITTER_CLOCK = 90_000;

    /** Counter and latency names of one kind. */
    record Names(String packets, String latency, String keyframes, String keyframeInterval) {
    }

    /** One stream as one receiver sees it (one sender's source). */
    static final class Inbound {
        final MediaKind kind;
        final SequenceTracker sequence = new SequenceTracker();
        final JitterEstimator jitter = new JitterEstimator(JITTER_CLOCK);
        /** Arrival of the last keyframe start, 0 before the first; written by one receive thread. */
        long lastKeyframeNanos;

        Inbound(MediaKind kind) {
            this.kind = kind;
        }

        void onPacket(int sequenceNumber, long receivedNanos, long sentNanos) {
            sequence.onPacket(sequenceNumber);
            jitter.onPacket(receivedNanos, (int) (sentNanos * JITTER_CLOCK / 1_000_000_000L));
        }
    }

    private final RunMetrics metrics;
    private final Map<MediaKind, Names> names = new EnumMap<>(MediaKind.class);
    private final Map<MediaKind, Queue<Inbound>> streams = new EnumMap<>(MediaKind.class);

    MediaTally(RunMetrics metrics) {
        this.metrics = metrics;
        for (MediaKind k : MediaKind.values()) {
            names.put(k, new Names(RunMetrics.PACKETS_RECEIVED + "." + k.label(), RunMetrics.LATENCY + "." + k.label(),
                    "keyframes.received." + k.label(), "keyframe-interval." + k.label()));
            streams.put(k, new ConcurrentLinkedQueue<>());
        }
    }

    RunMetrics metrics() {
        return metrics;
    }

    Names names(MediaKind kind) {
        return names.get(kind);
    }

    /** A stream a receiver started getting; counted in the run's loss and jitter from now on. */
    Inbound open(MediaKind kind) {
        Inbound s = new Inbound(kind);
        streams.get(kind).add(s);
        metrics.addStream(s.sequence, s.jitter);
        return s;
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
                packetsExpected += s.sequence.expected();
                lost += s.sequence.lost();
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
