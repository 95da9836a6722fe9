package org.parley.relay.client;

import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Predicate;
import org.parley.relay.rtp.RtpPacket;
import org.parley.relay.rtp.TwccRecorder;
import org.parley.relay.sdp.HeaderExtension;
import org.parley.relay.transport.PacketBuffer;

/**
 * A browser's transport-wide feedback about what the relay sends it
 * (draft-holmer-rmcat-transport-wide-cc-extensions-01 section 3.1): each packet's transport-wide
 * sequence number (the relay's, on its subscriber offer's extension id) is noted with its arrival,
 * and every {@link #INTERVAL_NANOS} the arrivals go back in one feedback message, as Chromium
 * sends them. Called from the subscriber connection's receive thread only.
 */
final class DownlinkFeedback {

    /** A browser sends transport-wide feedback about every 50 ms (Chromium: 50 to 250 ms). */
    static final long INTERVAL_NANOS = 50_000_000L;

    private final TwccRecorder arrivals = new TwccRecorder();
    private final PacketBuffer buffer = PacketBuffer.allocate();
    private final long senderSsrc;
    private final Predicate<PacketBuffer> send;
    private final AtomicInteger sent = new AtomicInteger();
    private long lastNanos;
    private long mediaSsrc;

    /**
     * @param senderSsrc the receiver's own SSRC, the feedback's packet sender
     * @param send sends one RTCP packet on the subscriber connection; false when it did not go
     */
    DownlinkFeedback(long senderSsrc, Predicate<PacketBuffer> send) {
        this.senderSsrc = senderSsrc;
        this.send = send;
    }

    /** One RTP packet that arrived at {@code arrivedNanos}; may send feedback. */
    void onPacket(byte[] b, int off, int len, long arrivedNanos, long nowNanos) {
        int at = RtpPacket.findExtension(b, off, len, HeaderExtension.TRANSPORT_CC.relayId());
        if (at < 0 || (b[at - 1] & 0x0f) != 1) {
            return;
        }
        arrivals.record(RtpPacket.u16(b, at), arrivedNanos / 1000);
        mediaSsrc = RtpPacket.ssrc(b, off);
        if (nowNanos - lastNanos >= INTERVAL_NANOS && arrivals.hasPending()) {
            lastNanos = nowNanos;
            int flen = arrivals.writeFeedback(buffer.getBuffer(), 0, senderSsrc, mediaSsrc);
            if (flen > 0) {
                buffer.setOffset(0);
                buffer.setLength(flen);
                if (send.test(buffer)) {
                    sent.incrementAndGet();
                }
            }
        }
    }

    /** Feedback messages sent. */
    int sent() {
        return sent.get();
    }
}
