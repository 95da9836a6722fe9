package org.parley.relay.bwe;

/**
 * One receiver's downlink bandwidth estimate from its transport-wide congestion control feedback,
 * as Google Congestion Control computes it on the sending side (draft-ietf-rmcat-gcc-02): a
 * delay-based rate ({@link DelayTrend} → {@link OveruseDetector} → {@link AimdRateControl}), a
 * loss-based rate ({@link LossBasedControl}), the acknowledged bitrate ({@link AckedBitrate})
 * that bounds both, and probe results ({@link ProbeClusters}) that lift it at once. The estimate
 * is the smaller of the delay- and loss-based rates (gcc-02 section 4).
 *
 * <p>Time comes in as arguments (send times in ns on the relay's clock, arrival times in µs on
 * the receiver's): there is no clock inside. Not thread-safe: the subscriber connection's receive
 * thread, which reads the feedback, is its only caller.
 */
public final class DownlinkEstimator {

    /**
     * Packets sent within this span form one group (gcc-02 section 5.2: a burst of one frame);
     * 5 ms as Chromium, below a 30 fps frame interval.
     */
    static final long GROUP_NANOS = 5_000_000L;

    private final DelayTrend trend = new DelayTrend();
    private final OveruseDetector detector = new OveruseDetector();
    private final AimdRateControl delayBased;
    private final LossBasedControl lossBased = new LossBasedControl();
    private final AckedBitrate acked = new AckedBitrate();
    private final ProbeClusters probes = new ProbeClusters();
    private final long minBps;
    private final long maxBps;
    private long estimate;
    private boolean hasFeedback;
    private OveruseDetector.Signal signal = OveruseDetector.Signal.NORMAL;
    private long probeResult;

    // The group being filled and the last complete one (send ns, arrival µs of their last packet).
    private long groupFirstSend = Long.MIN_VALUE;
    private long groupLastSend;
    private long groupLastArrival;
    private long previousGroupSend = Long.MIN_VALUE;
    private long previousGroupArrival;

    public DownlinkEstimator(long initialBps, long minBps, long maxBps) {
        if (minBps <= 0 || minBps > initialBps || initialBps > maxBps) {
            throw new IllegalArgumentException("need 0 < min <= initial <= max bits/s, got " + minBps + ", "
                    + initialBps + ", " + maxBps);
        }
        this.minBps = minBps;
        this.maxBps = maxBps;
        this.estimate = initialBps;
        this.delayBased = new AimdRateControl(initialBps, minBps, maxBps);
    }

    /** A probe cluster of {@code packets} packets is about to be sent. */
    public void onProbeStarted(int cluster, int packets) {
        probes.start(cluster, packets);
    }

    /**
     * One packet reported by the feedback, in sequence (send) order.
     *
     * @param arrivalMicros when it arrived on the receiver's clock, -1 when reported lost
     * @param cluster its probe cluster, or {@link SendHistory#NO_CLUSTER}
     */
    public void onPacket(long sendNanos, int size, long arrivalMicros, int cluster) {
        hasFeedback = true;
        lossBased.onPacket(arrivalMicros >= 0);
        if (cluster != SendHistory.NO_CLUSTER) {
            long r = probes.onPacket(cluster, sendNanos, size, arrivalMicros);
            if (r > 0) {
                probeResult = Math.max(probeResult, r);
            }
        }
        if (arrivalMicros < 0) {
            return;
        }
        acked.onAcked(arrivalMicros, size);
        if (groupFirstSend == Long.MIN_VALUE) {
            startGroup(sendNanos, arrivalMicros);
            return;
        }
        if (sendNanos - groupFirstSend < GROUP_NANOS && sendNanos >= groupFirstSend) {
            groupLastSend = Math.max(groupLastSend, sendNanos);
            groupLastArrival = Math.max(groupLastArrival, arrivalMicros);
            return;
        }
        if (sendNanos < groupFirstSend) {
            return; // reordered behind its group: says nothing about the queue
        }
        completeGroup();
        startGroup(sendNanos, arrivalMicros);
    }

    private void startGroup(long sendNanos, long arrivalMicros) {
        groupFirstSend = sendNanos;
        groupLastSend = sendNanos;
        groupLastArrival = arrivalMicros;
    }

    /** gcc-02 section 5.2: the delay variation between this group and the previous one. */
    private void completeGroup() {
        if (previousGroupSend != Long.MIN_VALUE) {
            double sendDeltaMs = (groupLastSend - previousGroupSend) / 1e6;
            double arrivalDeltaMs = (groupLastArrival - previousGroupArrival) / 1e3;
            double nowMs = groupLastArrival / 1e3;
            double slope = trend.update(arrivalDeltaMs - sendDeltaMs, nowMs);
            signal = detector.detect(slope, trend.deltas(), sendDeltaMs, nowMs);
        }
        previousGroupSend = groupLastSend;
        previousGroupArrival = groupLastArrival;
    }

    /** One feedback message has been read: updates the estimate from what it reported. */
    public void onFeedbackEnd(long nowNanos) {
        long ackedBps = acked.bps();
        long delayRate = delayBased.update(signal, ackedBps, nowNanos / 1e9);
        if (probeResult > 0) {
            // A probe showed the path carries this much: both rates start from there.
            if (probeResult > delayRate) {
                delayBased.setRate(probeResult);
                delayRate = delayBased.rateBps();
            }
            estimate = Math.max(estimate, Math.min(probeResult, maxBps));
            probeResult = 0;
        }
        long lossRate = lossBased.update(estimate, ackedBps, nowNanos);
        estimate = Math.max(minBps, Math.min(maxBps, Math.min(lossRate, delayRate)));
    }

    /** Bits per second the receiver's downlink is estimated to carry. */
    public long estimateBps() {
        return estimate;
    }

    /** True once some feedback has been read: before, the estimate is only the initial value. */
    public boolean hasFeedback() {
        return hasFeedback;
    }

    public long ackedBps() {
        return acked.bps();
    }

    public double lossFraction() {
        return lossBased.lastLossFraction();
    }

    /** The delay detector's last signal, for tests and diagnostics. */
    public String delaySignal() {
        return signal.name();
    }
}
