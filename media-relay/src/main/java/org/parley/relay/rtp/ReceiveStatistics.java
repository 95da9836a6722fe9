package org.parley.relay.rtp;

import static org.parley.relay.rtp.RtpPacket.putInt;

/**
 * Reception figures of one incoming RTP stream, for the report blocks of the relay's receiver
 * reports (RFC 3550 section 6.4.1 and appendix A.3, A.8). Updated by the receive thread only.
 */
public final class ReceiveStatistics {

    private final long ssrc;
    private final int clockRate;
    private long baseSeq = -1;
    private long maxExtSeq;
    private volatile long received;
    private volatile long bytes;
    private long expectedPrior;
    private long receivedPrior;
    private double jitter;
    private long lastTransit = Long.MIN_VALUE;
    private long lastSrNtpMiddle;
    private long lastSrArrivalNanos;
    private long lastSrRtpTimestamp;
    private long lastSrNtp;
    private volatile long cumulativeLost;
    private volatile double jitterMs;

    public ReceiveStatistics(long ssrc, int clockRate) {
        this.ssrc = ssrc;
        this.clockRate = clockRate;
    }

    public long ssrc() {
        return ssrc;
    }

    /** Notes one packet of {@code bytes} bytes. */
    public void onPacket(int seq, long rtpTimestamp, long arrivalNanos, int bytes) {
        this.bytes += bytes;
        onPacket(seq, rtpTimestamp, arrivalNanos);
    }

    public long bytes() {
        return bytes;
    }

    /** Notes one packet. */
    public void onPacket(int seq, long rtpTimestamp, long arrivalNanos) {
        if (baseSeq < 0) {
            baseSeq = seq;
            maxExtSeq = seq;
        } else {
            long cycles = maxExtSeq & ~0xFFFFL;
            long ext = cycles | seq;
            if (ext - maxExtSeq > 0x8000) {
                ext -= 0x10000;
            } else if (maxExtSeq - ext > 0x8000) {
                ext += 0x10000;
            }
            if (ext > maxExtSeq) {
                maxExtSeq = ext;
            }
        }
        received++;
        long arrivalTicks = arrivalNanos * clockRate / 1_000_000_000L;
        long transit = arrivalTicks - rtpTimestamp;
        if (lastTransit != Long.MIN_VALUE) {
            long dd = Math.abs(transit - lastTransit);
            if (dd < clockRate * 10L) {
                jitter += (dd - jitter) / 16.0;
            }
        }
        lastTransit = transit;
        jitterMs = jitter * 1000.0 / clockRate;
    }

    /**
     * Whether {@code seq} lies {@code window} or more numbers behind the highest one seen (and is
     * not ahead of it): a packet that late, usually a repair that took long, is behind the
     * replay window of every stream the relay sends it on.
     */
    public boolean isBehind(int seq, int window) {
        if (baseSeq < 0) {
            return false;
        }
        int behind = ((int) maxExtSeq - seq) & 0xFFFF;
        return behind >= window && behind < 0x8000;
    }

    /** Notes a sender report for LSR/DLSR (RFC 3550 section 6.4.1). */
    public void onSenderReport(long ntp, long rtpTimestamp, long arrivalNanos) {
        lastSrNtpMiddle = (ntp >>> 16) & 0xFFFFFFFFL;
        lastSrArrivalNanos = arrivalNanos;
        lastSrNtp = ntp;
        lastSrRtpTimestamp = rtpTimestamp;
    }

    public long lastSrNtp() {
        return lastSrNtp;
    }

    public long lastSrRtpTimestamp() {
        return lastSrRtpTimestamp;
    }

    public long received() {
        return received;
    }

    public boolean hasPackets() {
        return baseSeq >= 0;
    }

    public long cumulativeLost() {
        return cumulativeLost;
    }

    public double jitterMillis() {
        return jitterMs;
    }

    /** Writes one 24-byte report block and starts a new reporting interval. */
    public int writeReportBlock(byte[] b, int at, long nowNanos) {
        long expected = maxExtSeq - baseSeq + 1;
        long lost = Math.max(0, expected - received);
        cumulativeLost = lost;
        long expectedInterval = expected - expectedPrior;
        long receivedInterval = received - receivedPrior;
        expectedPrior = expected;
        receivedPrior = received;
        long lostInterval = expectedInterval - receivedInterval;
        int fraction = expectedInterval <= 0 || lostInterval <= 0 ? 0 : (int) ((lostInterval << 8) / expectedInterval);
        putInt(b, at, (int) ssrc);
        putInt(b, at + 4, (Math.min(fraction, 255) << 24) | (int) Math.min(lost, 0x7FFFFF));
        putInt(b, at + 8, (int) maxExtSeq);
        putInt(b, at + 12, (int) jitter);
        putInt(b, at + 16, (int) lastSrNtpMiddle);
        long dlsr = lastSrArrivalNanos == 0 ? 0 : (nowNanos - lastSrArrivalNanos) * 65536 / 1_000_000_000L;
        putInt(b, at + 20, (int) dlsr);
        return 24;
    }
}
