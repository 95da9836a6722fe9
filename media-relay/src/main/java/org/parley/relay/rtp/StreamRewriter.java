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
 *
 * <p>Packets the receiver is not to get (a temporal layer above its frame rate, see
 * {@link TemporalLayerFilter}) are {@link #skip skipped}: the numbers after them close up, so the
 * receiver sees no gap and never NACKs what was dropped on purpose. From the first skip on, one
 * offset no longer maps the stream, so each number sent remembers its source number (for NACKs)
 * and each number held open for a packet still missing remembers its slot (for the packet's late
 * arrival, a repair from the publisher).
 */
public final class StreamRewriter {

    private static final int FORGET_SWITCH_AFTER = 0x2000;
    /** Numbers remembered for NACKs and late packets: as many as the retransmission cache holds. */
    private static final int RING = 1024;
    /** A gap longer than this in the source's numbers reserves no slots: those packets are lost. */
    private static final int MAX_RESERVED_GAP = 64;
    private static final long VALID = 1L << 62;
    /** In {@link #sent}: the number is held open for a source packet still missing, not sent yet. */
    private static final long HELD_OPEN = 1L << 61;

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
    /** Highest source sequence number of the current stream seen (rewritten or skipped); -1 none. */
    private int highestInSeq = -1;
    /** Whether a packet of the current stream was skipped: from then on the rings map numbers. */
    private boolean skipping;
    /** Counts switches, so that slots reserved for one stream never match another's numbers. */
    private int generation;
    /**
     * By receiver number: VALID | outSeq << 16 | source number of the packet sent under it, or
     * HELD_OPEN | outSeq << 16 | source number of the missing packet it waits for.
     */
    private final long[] sent = new long[RING];
    /** By source number: VALID | generation << 32 | inSeq << 16 | the receiver number held open for it. */
    private final long[] reserved = new long[RING];

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
        int outSeq;
        if (highestInSeq < 0 || isNewer(seq, highestInSeq)) {
            reserveGap(seq);
            highestInSeq = seq;
            outSeq = (seq + seqOffset) & 0xFFFF;
        } else if (skipping) {
            // late: its number was held open when later packets went out (or it has none)
            outSeq = reservedSlot(seq);
            if (outSeq < 0) {
                return false;
            }
        } else {
            outSeq = (seq + seqOffset) & 0xFFFF;
        }
        if (switchOutSeq >= 0 && isNewer(switchOutSeq, outSeq)) {
            return false;
        }
        sent[outSeq & (RING - 1)] = VALID | (long) outSeq << 16 | seq;
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
        highestInSeq = -1;
        skipping = false;
        generation++;
    }

    /**
     * Leaves a packet of the current stream out: the numbers after it close up. Returns -1, or,
     * for a late packet whose number was held open (later packets already went out), that
     * receiver number: the caller sends something else under it (padding), so no gap stays.
     */
    public int skip(byte[] b, int off) {
        if (RtpPacket.ssrc(b, off) != inSsrc || highestOutSeq < 0) {
            return -1; // nothing sent of this stream yet: its first packet sent sets the numbers
        }
        int seq = RtpPacket.sequence(b, off);
        if (highestInSeq >= 0 && !isNewer(seq, highestInSeq)) {
            return skipping ? reservedSlot(seq) : -1;
        }
        reserveGap(seq);
        highestInSeq = seq;
        skipping = true;
        seqOffset = (seqOffset - 1) & 0xFFFF;
        return -1;
    }

    /** Holds receiver numbers open for the source numbers missing before {@code seq} (loss, reordering). */
    private void reserveGap(int seq) {
        if (highestInSeq < 0) {
            return;
        }
        int gap = (seq - highestInSeq - 1) & 0xFFFF;
        if (gap == 0 || gap > MAX_RESERVED_GAP) {
            return;
        }
        for (int s = highestInSeq + 1, k = 0; k < gap; k++, s++) {
            int in = s & 0xFFFF;
            int out = (in + seqOffset) & 0xFFFF;
            reserved[in & (RING - 1)] = VALID | (long) (generation & 0xFFFF) << 32 | (long) in << 16 | out;
            sent[out & (RING - 1)] = HELD_OPEN | (long) out << 16 | in;
        }
    }

    /** The receiver number held open for a late source number, -1 when none was (taken once). */
    private int reservedSlot(int seq) {
        int i = seq & (RING - 1);
        long r = reserved[i];
        if ((r & VALID) == 0 || ((r >> 32) & 0xFFFF) != (generation & 0xFFFF) || ((r >> 16) & 0xFFFF) != seq) {
            return -1;
        }
        reserved[i] = 0;
        return (int) (r & 0xFFFF);
    }

    /** The timestamp the receiver would see for a source timestamp (for translated SRs). */
    public long outTimestamp(long inTs) {
        return (inTs + tsOffset) & 0xFFFFFFFFL;
    }

    /**
     * The source sequence number of a receiver-side one, for answering NACKs: of the packet sent
     * under it, or of the packet it is held open for (lost before the relay, later ones already
     * sent; it may be in the cache by now, e.g. a repair too late to forward as itself, or it can
     * be asked for again). -1 when it was skipped on purpose or is too old for the cache anyway.
     */
    public int inSequence(int outSeq) {
        long e = sent[outSeq & (RING - 1)];
        if ((e & (VALID | HELD_OPEN)) != 0 && ((e >> 16) & 0xFFFF) == outSeq) {
            return (int) (e & 0xFFFF);
        }
        return -1;
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
