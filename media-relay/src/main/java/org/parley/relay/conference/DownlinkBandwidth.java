package org.parley.relay.conference;

import java.util.function.LongConsumer;
import org.parley.relay.bwe.DownlinkEstimator;
import org.parley.relay.bwe.SendHistory;
import org.parley.relay.rtp.RtpPacket;
import org.parley.relay.rtp.TransportSequenceNumber;
import org.parley.relay.rtp.TwccFeedback;
import org.parley.relay.sdp.HeaderExtension;
import org.parley.relay.transport.PacketBuffer;

/**
 * Transport-wide congestion control towards one receiver: every RTP packet the relay sends on the
 * subscriber connection gets the connection's next transport-wide sequence number
 * (draft-holmer-rmcat-transport-wide-cc-extensions-01 section 2), its send time and size are kept
 * ({@link SendHistory}), and the receiver's feedback about them drives a {@link DownlinkEstimator}.
 * The estimate falls back to the receiver's REMB before any transport-wide feedback, and to the
 * configured initial bitrate before either.
 */
final class DownlinkBandwidth implements TwccFeedback.Visitor {

    /** A listener hears of moves by more than this fraction (the allocator re-runs on them). */
    static final double NOTIFY_CHANGE = 0.10;
    private static final int TWCC_ID = HeaderExtension.TRANSPORT_CC.relayId();
    /** Room an SRTP tag (at most 16 bytes) needs after a packet that grew by the extension. */
    private static final int SRTP_TAG_ROOM = 16;

    private final SendHistory history = new SendHistory();
    private final DownlinkEstimator estimator;
    private final long initialBps;
    private volatile long rembBps;
    private volatile long estimateBps;
    private volatile LongConsumer listener;
    private long notifiedBps;
    private int nextCluster;

    DownlinkBandwidth(long initialBps, long minBps, long maxBps) {
        this.initialBps = initialBps;
        this.estimator = new DownlinkEstimator(initialBps, minBps, maxBps);
        this.notifiedBps = initialBps;
    }

    /**
     * Gives the plaintext packet in {@code packet} its transport-wide sequence number just before
     * it is encrypted and sent; may grow it by {@link TransportSequenceNumber#MAX_GROWTH} bytes.
     * A packet that cannot carry the extension goes out without it and is not counted.
     */
    void stamp(PacketBuffer packet, long nowNanos, int cluster) {
        byte[] b = packet.getBuffer();
        int off = packet.getOffset();
        int limit = Math.min(b.length, off + PacketBuffer.MAX_PACKET + PacketBuffer.TAIL_ROOM) - SRTP_TAG_ROOM;
        int len = TransportSequenceNumber.write(b, off, packet.getLength(), limit, TWCC_ID, 0);
        if (len < 0) {
            return;
        }
        int at = RtpPacket.findExtension(b, off, len, TWCC_ID);
        RtpPacket.putShort(b, at, history.record(len, nowNanos, cluster));
        packet.setLength(len);
    }

    /**
     * A transport-wide feedback message from the receiver (subscriber receive thread); false when
     * it was malformed and ignored.
     */
    synchronized boolean onFeedback(byte[] b, int at, int len, long nowNanos) {
        if (!TwccFeedback.read(b, at, len, this)) {
            return false;
        }
        estimator.onFeedbackEnd(nowNanos);
        publish(estimator.estimateBps());
        return true;
    }

    @Override
    public void onPacket(int sequence, long arrivalMicros) {
        long seq = history.lookup(sequence);
        if (seq >= 0) {
            estimator.onPacket(history.sentNanos(seq), history.size(seq), arrivalMicros, history.cluster(seq));
        }
    }

    /** The receiver's REMB: used while no transport-wide feedback has come. */
    void onRemb(long bps) {
        rembBps = bps;
        if (estimateBps == 0) {
            synchronized (this) {
                notifyIfMoved(availableBandwidthBps());
            }
        }
    }

    /** Starts a probe cluster of {@code packets} packets; returns its id for {@link #stamp}. */
    synchronized int startProbe(int packets) {
        int cluster = nextCluster++ & 0x7FFFFFFF;
        estimator.onProbeStarted(cluster, packets);
        return cluster;
    }

    private void publish(long bps) {
        estimateBps = bps;
        notifyIfMoved(bps);
    }

    private void notifyIfMoved(long bps) {
        LongConsumer l = listener;
        if (Math.abs(bps - notifiedBps) > NOTIFY_CHANGE * notifiedBps) {
            notifiedBps = bps;
            if (l != null) {
                l.accept(bps);
            }
        }
    }

    /** The downlink estimate in bits/s: from transport-wide feedback, else REMB, else the initial value. */
    long availableBandwidthBps() {
        long twcc = estimateBps;
        if (twcc > 0) {
            return twcc;
        }
        long remb = rembBps;
        return remb > 0 ? remb : initialBps;
    }

    void onEstimateChanged(LongConsumer l) {
        listener = l;
    }
}
