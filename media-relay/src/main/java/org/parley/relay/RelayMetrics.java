package org.parley.relay;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.EnumMap;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;
import org.ice4j.ice.IceProcessingState;
import org.parley.relay.transport.SendKind;

/**
 * The relay's Prometheus meters, all named {@code parley_relay_*}. Counters are looked up once
 * here so the packet path only increments fields.
 */
public final class RelayMetrics {

    /** Why a packet was dropped; each reason is one counter. */
    public enum Drop {
        MALFORMED, SRTP_AUTH, SRTP_REPLAY, SRTP_INVALID, UNKNOWN_SSRC, NOT_CONNECTED, UNKNOWN_ADDRESS,
        UNKNOWN_KIND, DTLS_QUEUE_FULL, PADDING_ONLY, WAITING_FOR_KEYFRAME, CODEC_NOT_ACCEPTED, SEND_FAILED,
        /** Arrived on an ICE session that an ICE restart already replaced or abandoned. */
        ICE_RESTARTING,
        /**
         * A receiver's send queue was full (it cannot keep up, e.g. ICE-TCP with a full window);
         * counted per {@link SendKind} through {@link #dropQueued}.
         */
        RECEIVER_QUEUE_FULL,
        /**
         * Arrived {@link org.parley.relay.transport.SrtpTransformer#SEND_REPLAY_WINDOW} or more
         * packets behind the newest of its stream (a repair that took too long): kept for NACKs,
         * not forwarded, since no receiver's stream can take its sequence number any more.
         */
        TOO_LATE
    }

    /** The {@code kind} label of drops whose reason is not about one kind of packet. */
    static final String UNCLASSIFIED = "unclassified";

    public final Counter audioPacketsIn;
    public final Counter audioBytesIn;
    public final Counter videoPacketsIn;
    public final Counter videoBytesIn;
    public final Counter rtcpPacketsIn;
    public final Counter audioPacketsOut;
    public final Counter audioBytesOut;
    public final Counter videoPacketsOut;
    public final Counter videoBytesOut;
    public final Counter rtcpPacketsOut;
    /**
     * System calls that sent forwarded media out of the shared UDP port, each with up to 16
     * datagrams of one fan-out (FanOutBatch): packets out per call is the batching achieved.
     */
    public final Counter fanOutSendCalls;
    public final Counter retransmissions;
    public final Counter nacksReceived;
    /** NACKs the relay sent to publishers for packets lost on their way in. */
    public final Counter nacksSent;
    /** Packets a publisher resent because the relay asked (RTX restored, or plain). */
    public final Counter repairsReceived;
    public final Counter plisReceived;
    public final Counter plisSent;
    /** Cascading: NACKs sent over relay-to-relay links for packets lost on the link. */
    public final Counter linkNacksSent;
    /** Cascading: packets resent over a link from this relay's cache, answering a peer's NACK. */
    public final Counter linkRepairsSent;
    /** Cascading: repairs that arrived over a link for packets this relay asked for. */
    public final Counter linkRepairsReceived;
    /** Cascading: links that went down (their peer silent for 3 s), see ConferenceStats.LinkStats. */
    public final Counter linkDowns;
    public final Counter twccFeedbackSent;
    /** Transport-wide feedback messages from receivers that fed their downlink estimate. */
    public final Counter twccFeedbackReceived;
    public final Counter srtpFailures;
    public final Counter dtlsFailures;
    /** ICE restarts that completed: media moved to the new ICE session. */
    public final Counter iceRestarts;
    /**
     * Interarrival jitter of incoming streams (RFC 3550 A.8), sampled once per receiver report, in
     * seconds: Prometheus names carry base units, so dashboards never mix milliseconds and seconds.
     */
    public final DistributionSummary streamJitterSeconds;
    /** Packets of incoming streams that never arrived (RFC 3550 A.3). */
    public final Counter streamPacketsLost;
    /**
     * Time forwarded packets spend inside the relay (receive thread has the datagram -> last copy
     * handed to the socket), the relay's own share of the added latency.
     */
    public final DwellTimeHistogram forwardingDwell = new DwellTimeHistogram();
    private final Map<Drop, Counter> drops = new EnumMap<>(Drop.class);
    private final Map<SendKind, Counter> queueDrops = new EnumMap<>(SendKind.class);
    private final Map<IceProcessingState, AtomicInteger> iceStates = new EnumMap<>(IceProcessingState.class);

    public RelayMetrics(MeterRegistry registry, Supplier<Number> conferences, Supplier<Number> endpoints) {
        Gauge.builder("parley_relay_conferences", () -> conferences.get().doubleValue())
                .description("Conferences on this relay").register(registry);
        Gauge.builder("parley_relay_endpoints", () -> endpoints.get().doubleValue())
                .description("Endpoints on this relay").register(registry);
        audioPacketsIn = counter(registry, "parley_relay_packets_in", "audio");
        audioBytesIn = counter(registry, "parley_relay_bytes_in", "audio");
        videoPacketsIn = counter(registry, "parley_relay_packets_in", "video");
        videoBytesIn = counter(registry, "parley_relay_bytes_in", "video");
        rtcpPacketsIn = counter(registry, "parley_relay_packets_in", "rtcp");
        audioPacketsOut = counter(registry, "parley_relay_packets_out", "audio");
        audioBytesOut = counter(registry, "parley_relay_bytes_out", "audio");
        videoPacketsOut = counter(registry, "parley_relay_packets_out", "video");
        videoBytesOut = counter(registry, "parley_relay_bytes_out", "video");
        rtcpPacketsOut = counter(registry, "parley_relay_packets_out", "rtcp");
        fanOutSendCalls = Counter.builder("parley_relay_fanout_send_calls")
                .description("sendmmsg calls that sent forwarded media out of the shared UDP port").register(registry);
        retransmissions = Counter.builder("parley_relay_retransmissions").register(registry);
        nacksReceived = Counter.builder("parley_relay_nacks_received").register(registry);
        nacksSent = Counter.builder("parley_relay_nacks_sent").register(registry);
        repairsReceived = Counter.builder("parley_relay_repairs_received").register(registry);
        plisReceived = Counter.builder("parley_relay_plis_received").register(registry);
        plisSent = Counter.builder("parley_relay_plis_sent").register(registry);
        linkNacksSent = Counter.builder("parley_relay_link_nacks_sent")
                .description("NACKs sent over relay-to-relay links for packets lost on the link").register(registry);
        linkRepairsSent = Counter.builder("parley_relay_link_repairs_sent")
                .description("Packets resent over relay-to-relay links answering the peer's NACKs").register(registry);
        linkRepairsReceived = Counter.builder("parley_relay_link_repairs_received")
                .description("Repairs received over relay-to-relay links for packets asked for").register(registry);
        linkDowns = Counter.builder("parley_relay_link_downs")
                .description("Relay-to-relay links whose peer fell silent (3 s)").register(registry);
        twccFeedbackSent = Counter.builder("parley_relay_twcc_feedback_sent").register(registry);
        twccFeedbackReceived = Counter.builder("parley_relay_twcc_feedback_received").register(registry);
        srtpFailures = Counter.builder("parley_relay_srtp_failures").register(registry);
        dtlsFailures = Counter.builder("parley_relay_dtls_failures").register(registry);
        iceRestarts = Counter.builder("parley_relay_ice_restarts")
                .description("ICE restarts whose new session took over the media").register(registry);
        streamJitterSeconds = DistributionSummary.builder("parley_relay_stream_jitter").baseUnit("seconds")
                .description("Jitter of incoming streams, per stream and second").register(registry);
        streamPacketsLost = Counter.builder("parley_relay_stream_packets_lost").register(registry);
        for (double q : new double[] {0.5, 0.99, 0.999}) {
            Gauge.builder("parley_relay_forwarding_dwell_seconds", forwardingDwell, h -> h.quantile(q) / 1e9)
                    .tag("quantile", Double.toString(q))
                    .description("Time forwarded packets spent inside the relay since start, by quantile")
                    .register(registry);
        }
        // Every series has both labels (Prometheus wants one label set per name); only the
        // receiver-queue drops say which kind of packet they cost.
        for (Drop d : Drop.values()) {
            if (d == Drop.RECEIVER_QUEUE_FULL) {
                for (SendKind k : SendKind.values()) {
                    queueDrops.put(k, dropCounter(registry, d, k.label()));
                }
            } else {
                drops.put(d, dropCounter(registry, d, UNCLASSIFIED));
            }
        }
        for (IceProcessingState s : IceProcessingState.values()) {
            AtomicInteger n = new AtomicInteger();
            iceStates.put(s, n);
            Gauge.builder("parley_relay_ice_connections", n, AtomicInteger::get).tag("state", s.name().toLowerCase())
                    .register(registry);
        }
    }

    private static Counter dropCounter(MeterRegistry registry, Drop reason, String kind) {
        return Counter.builder("parley_relay_dropped_packets").tag("reason", reason.name().toLowerCase())
                .tag("kind", kind).register(registry);
    }

    private static Counter counter(MeterRegistry registry, String name, String kind) {
        return Counter.builder(name).tag("kind", kind).register(registry);
    }

    public void drop(Drop reason) {
        if (reason == Drop.RECEIVER_QUEUE_FULL) {
            throw new IllegalArgumentException("receiver queue drops are counted by kind: use dropQueued");
        }
        drops.get(reason).increment();
        if (reason == Drop.SRTP_AUTH || reason == Drop.SRTP_REPLAY || reason == Drop.SRTP_INVALID) {
            srtpFailures.increment();
        }
    }

    /** A packet a receiver's full send queue refused. */
    public void dropQueued(SendKind kind) {
        queueDrops.get(kind).increment();
    }

    public double dropped(Drop reason) {
        if (reason == Drop.RECEIVER_QUEUE_FULL) {
            return queueDrops.values().stream().mapToDouble(Counter::count).sum();
        }
        return drops.get(reason).count();
    }

    /** Every non-zero drop counter, for diagnostics. */
    public Map<Drop, Double> dropsByReason() {
        Map<Drop, Double> out = new EnumMap<>(Drop.class);
        for (Drop reason : Drop.values()) {
            double n = dropped(reason);
            if (n > 0) {
                out.put(reason, n);
            }
        }
        return out;
    }

    /** Moves one connection from one ICE state to another (null: new or gone). */
    public void iceStateChanged(IceProcessingState from, IceProcessingState to) {
        if (from != null) {
            iceStates.get(from).decrementAndGet();
        }
        if (to != null) {
            iceStates.get(to).incrementAndGet();
        }
    }
}
