package org.parley.relay.rtp;

import java.util.concurrent.ThreadLocalRandom;

/**
 * Gives one receiver a continuous RTP stream (one SSRC, gap-free sequence numbers, monotonic
 * timestamps) while what feeds it may change underneath: another source, a new device of the
 * same user, another simulcast layer. Each switch re-bases the sequence number and timestamp
 * offsets so the receiver's jitter buffer and decoder see one stream (RFC 7667 section 3.7,
 * the "media switching mixer" topology).
 *
 * <p>The mapping before the last switch is kept too, so NACKs for packets sent just before a
 * switch are answered from the stream that fed them. Used by one forwarding thread at a time;
 * reads by NACK handling are racy but only ever see a complete offset.
 */
public final class StreamRewriter {

    private static final int FORGET_SWITCH_AFTER = 0x2000;

    private final long outSsrc;
    private final int clockRate;
    private volatile long inSsrc = -1;
    private volatile int seqOffset;
    private long tsOffset;
    private int highestOutSeq = -1;
    private long lastOutTs;
    private long lastForwardNanos;
    /** First receiver sequence number of the current mapping, -1 before any switch. */
    private volatile int switchOutSeq = -1;
    private volatile long previousInSsrc = -1;
    private volatile int previousSeqOffset;
    private volatile long previousTsOffset;

    public StreamRewriter(long outSsrc, int clockRate) {
        this.outSsrc = outSsrc;
        this.clockRate = clockRate;
    }

    public long outSsrc() {
        return outSsrc;
    }

    public long inSsrc() {
        return inSsrc;
    }

    /**
     * Rewrites the packet's SSRC, sequence number and timestamp in place. Returns false (packet
     * left as it was, not to be sent) for a late packet of the current stream older than the
     * switch to it: its number would land among those the previous stream used.
     */
    public boolean rewrite(byte[] b, int off, long nowNanos) {
        long ssrc = RtpPacket.ssrc(b, off);
        int seq = RtpPacket.sequence(b, off);
        long ts = RtpPacket.timestamp(b, off);
        if (ssrc != inSsrc) {
            switchTo(ssrc, seq, ts, nowNanos);
        }
        int outSeq = (seq + seqOffset) & 0xFFFF;
        if (switchOutSeq >= 0 && isNewer(switchOutSeq, outSeq)) {
            return false;
        }
        long outTs = (ts + tsOffset) & 0xFFFFFFFFL;
        if (highestOutSeq < 0 || isNewer(outSeq, highestOutSeq)) {
            if (switchOutSeq >= 0 && ((outSeq - switchOutSeq) & 0xFFFF) > FORGET_SWITCH_AFTER) {
                // Long past the switch (and past any cache): forget it before sequence
                // numbers wrap around to look "older" than it.
                switchOutSeq = -1;
            }
            highestOutSeq = outSeq;
            lastOutTs = outTs;
            lastForwardNanos = nowNanos;
        }
        RtpPacket.setSsrc(b, off, outSsrc);
        RtpPacket.setSequence(b, off, outSeq);
        RtpPacket.setTimestamp(b, off, outTs);
        return true;
    }

    private void switchTo(long ssrc, int seq, long ts, long nowNanos) {
        if (highestOutSeq < 0) {
            // Random initial values, as a fresh RTP sender would pick (RFC 3550 section 5.1).
            ThreadLocalRandom r = ThreadLocalRandom.current();
            seqOffset = (r.nextInt(0x8000) - seq) & 0xFFFF;
            tsOffset = (r.nextLong(0x100000000L) - ts) & 0xFFFFFFFFL;
        } else {
            // Continue right after the last packet sent, advancing the timestamp by the wall
            // time that passed so playout stays in real time (at least one tick).
            long elapsedTicks = Math.max(1, (nowNanos - lastForwardNanos) * clockRate / 1_000_000_000L);
            previousInSsrc = inSsrc;
            previousSeqOffset = seqOffset;
            previousTsOffset = tsOffset;
            switchOutSeq = (highestOutSeq + 1) & 0xFFFF;
            seqOffset = (highestOutSeq + 1 - seq) & 0xFFFF;
            tsOffset = (lastOutTs + elapsedTicks - ts) & 0xFFFFFFFFL;
        }
        inSsrc = ssrc;
    }

    /** The timestamp the receiver would see for a source timestamp (for translated SRs). */
    public long outTimestamp(long inTs) {
        return (inTs + tsOffset) & 0xFFFFFFFFL;
    }

    /** The source sequence number of a receiver-side one, for answering NACKs. */
    public int inSequence(int outSeq) {
        return (outSeq - (beforeSwitch(outSeq) ? previousSeqOffset : seqOffset)) & 0xFFFF;
    }

    /** The source SSRC that fed a receiver-side sequence number (the one before the last switch or now). */
    public long inSsrc(int outSeq) {
        return beforeSwitch(outSeq) ? previousInSsrc : inSsrc;
    }

    /** The receiver timestamp of a source timestamp of the stream that fed {@code outSeq}. */
    public long outTimestamp(int outSeq, long inTs) {
        return (inTs + (beforeSwitch(outSeq) ? previousTsOffset : tsOffset)) & 0xFFFFFFFFL;
    }

    private boolean beforeSwitch(int outSeq) {
        int at = switchOutSeq;
        return at >= 0 && isNewer(at, outSeq);
    }

    /** The receiver-side timestamp of the last packet rewritten (probe padding reuses it). */
    public long lastOutTimestamp() {
        return lastOutTs;
    }

    public int highestOutSequence() {
        return highestOutSeq;
    }

    /** True when {@code a} is after {@code b} in 16-bit sequence space (RFC 3550 appendix A.1). */
    public static boolean isNewer(int a, int b) {
        int d = (a - b) & 0xFFFF;
        return d != 0 && d < 0x8000;
    }
}
