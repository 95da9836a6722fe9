package org.parley.loadtest.stats;

import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.LongAdder;

/**
 * Everything a scenario measures during a run, written from any thread: named latencies, named
 * counters, the receive-side streams (loss and jitter) and the number of live participants. The
 * {@link Sampler} reads it once a second.
 */
public final class RunMetrics {

    /** Media latency: one-way, send timestamp to arrival. */
    public static final String LATENCY = "latency";
    /** Signaling {@code ping} round trip of the simulated devices' keepalive. */
    public static final String PING = "ping";
    /** Connect + hello until welcome (signaling) or until media flows (conference join). */
    public static final String JOIN = "join";
    /** Call set-up: invite sent until the caller hears call.ringing. */
    public static final String SETUP = "setup";
    /** Accept sent until the caller hears call.accepted. */
    public static final String ANSWER = "answer";

    /** Media packets received by simulated participants. */
    public static final String PACKETS_RECEIVED = "packets.received";
    public static final String PACKETS_SENT = "packets.sent";
    /** Frames an end-to-end encrypted member (--e2ee) received but could not open: never decoded. */
    public static final String E2EE_DECRYPT_FAILURES = "e2ee.decrypt-failures";
    public static final String ERRORS = "errors";

    private final Map<String, LatencyMetric> latencies = new ConcurrentHashMap<>();
    private final Map<String, LongAdder> counters = new ConcurrentHashMap<>();
    private final List<StreamReception> streams = new CopyOnWriteArrayList<>();
    private final List<SentStream> sent = new CopyOnWriteArrayList<>();
    private final AtomicInteger participants = new AtomicInteger();
    /** The scenario's last error message, shown once in the progress output. */
    private volatile String lastError;

    public LatencyMetric latency(String name) {
        return latencies.computeIfAbsent(name, LatencyMetric::new);
    }

    public Map<String, LatencyMetric> latencies() {
        return latencies;
    }

    public LongAdder counter(String name) {
        return counters.computeIfAbsent(name, n -> new LongAdder());
    }

    public Map<String, LongAdder> counters() {
        return counters;
    }

    public void increment(String name) {
        counter(name).increment();
    }

    /** Counts an error and remembers its message. */
    public void error(String what) {
        counter(ERRORS).increment();
        lastError = what;
    }

    public String lastError() {
        return lastError;
    }

    /** A receive-side stream, counted in the run's loss and jitter from now on. */
    public StreamReception addStream(SentStream source) {
        return addStream(source, true);
    }

    /** A stream counted by the relay's sequence numbers alone (a simulcast camera), see {@link StreamReception}. */
    public StreamReception addStream(SentStream source, boolean followsSender) {
        StreamReception s = new StreamReception(source, followsSender);
        streams.add(s);
        return s;
    }

    public List<StreamReception> streams() {
        return streams;
    }

    /** A sender's source, whose count receivers' loss is measured against. */
    public SentStream addSender() {
        SentStream s = new SentStream();
        sent.add(s);
        return s;
    }

    /** Every sender's count as of the previous interval becomes what receivers should have (see {@link SentStream#settle}). */
    void settleSenders() {
        sent.forEach(SentStream::settle);
    }

    /** Totals over every received stream: {expected, lost}. */
    public long[] loss() {
        long expected = 0;
        long lost = 0;
        for (StreamReception s : streams) {
            expected += s.expected();
            lost += s.lost();
        }
        return new long[] {expected, lost};
    }

    public AtomicInteger participants() {
        return participants;
    }
}
