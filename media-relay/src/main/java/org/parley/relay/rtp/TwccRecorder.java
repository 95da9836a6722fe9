package org.parley.relay.rtp;

import static org.parley.relay.rtp.RtpPacket.putInt;
import static org.parley.relay.rtp.RtpPacket.putShort;

/**
 * Records arrival times of a publisher's packets by transport-wide sequence number and writes
 * transport-wide congestion control feedback (draft-holmer-rmcat-transport-wide-cc-extensions-01
 * section 3.1), which lets the browser's send-side bandwidth estimator (and its probing) raise
 * the publisher's bitrate. Used by the connection's receive thread only.
 */
public final class TwccRecorder {

    private static final int WINDOW = 1024;
    /** Most packets one feedback reports, keeping it well below the MTU. */
    private static final int MAX_PER_FEEDBACK = 300;
    private static final long TICK_US = 250;
    private static final long REFERENCE_US = 64_000;

    private final long[] arrivalUs = new long[WINDOW];
    private final long[] seqAt = new long[WINDOW];
    private long highest = -1;
    private long nextToReport = -1;
    private int feedbackCount;

    public TwccRecorder() {
        java.util.Arrays.fill(seqAt, -1);
    }

    /** Notes the arrival of the packet with 16-bit transport sequence number {@code seq}. */
    public void record(int seq, long arrivalMicros) {
        long unwrapped = unwrap(seq);
        int i = (int) (unwrapped & (WINDOW - 1));
        seqAt[i] = unwrapped;
        arrivalUs[i] = arrivalMicros;
        if (unwrapped > highest) {
            highest = unwrapped;
        }
        if (nextToReport < 0 || unwrapped < nextToReport && nextToReport - unwrapped < WINDOW) {
            nextToReport = unwrapped;
        }
    }

    private long unwrap(int seq) {
        if (highest < 0) {
            return seq;
        }
        long base = highest & ~0xFFFFL;
        long candidate = base | seq;
        if (candidate - highest > 0x8000) {
            candidate -= 0x10000;
        } else if (highest - candidate > 0x8000) {
            candidate += 0x10000;
        }
        return candidate;
    }

    public boolean hasPending() {
        return nextToReport >= 0 && nextToReport <= highest;
    }

    /**
     * Writes one feedback packet covering the packets since the last one; returns its length, 0
     * when there is nothing to report.
     */
    public int writeFeedback(byte[] b, int at, long senderSsrc, long mediaSsrc) {
        if (!hasPending()) {
            return 0;
        }
        if (highest - nextToReport >= WINDOW) {
            nextToReport = highest - WINDOW + 1;
        }
        long base = nextToReport;
        // The first reported packet must have arrived: it anchors the reference time.
        while (base <= highest && seqAt[(int) (base & (WINDOW - 1))] != base) {
            base++;
        }
        if (base > highest) {
            return 0;
        }
        long end = Math.min(highest, base + MAX_PER_FEEDBACK - 1);
        int count = (int) (end - base + 1);
        long firstArrival = arrivalUs[(int) (base & (WINDOW - 1))];
        long reference = Math.floorDiv(firstArrival, REFERENCE_US);

        int p = at + 20;
        // Two-bit status vector chunks, seven symbols each: 0 not received, 1 small delta, 2 large.
        int deltasStart = p + 2 * ((count + 6) / 7);
        int d = deltasStart;
        long previousUs = reference * REFERENCE_US;
        int chunk = 0;
        int inChunk = 0;
        for (long s = base; s <= end; s++) {
            int i = (int) (s & (WINDOW - 1));
            int symbol;
            if (seqAt[i] == s) {
                long deltaTicks = Math.floorDiv(arrivalUs[i] - previousUs, TICK_US);
                if (deltaTicks >= 0 && deltaTicks <= 255) {
                    symbol = 1;
                    b[d++] = (byte) deltaTicks;
                } else {
                    symbol = 2;
                    deltaTicks = Math.max(Short.MIN_VALUE, Math.min(Short.MAX_VALUE, deltaTicks));
                    putShort(b, d, (int) deltaTicks);
                    d += 2;
                }
                previousUs += deltaTicks * TICK_US;
            } else {
                symbol = 0;
            }
            chunk |= symbol << (2 * (6 - inChunk));
            if (++inChunk == 7) {
                putShort(b, p, 0xC000 | chunk);
                p += 2;
                chunk = 0;
                inChunk = 0;
            }
        }
        if (inChunk > 0) {
            putShort(b, p, 0xC000 | chunk);
        }
        int len = d - at;
        int pad = (4 - (len & 3)) & 3;
        for (int k = 0; k < pad; k++) {
            b[d + k] = 0;
        }
        if (pad > 0) {
            b[d + pad - 1] = (byte) pad;
        }
        len += pad;
        b[at] = (byte) (0x80 | (pad > 0 ? 0x20 : 0) | RtcpPacket.FMT_TWCC);
        b[at + 1] = (byte) RtcpPacket.RTPFB;
        putShort(b, at + 2, len / 4 - 1);
        putInt(b, at + 4, (int) senderSsrc);
        putInt(b, at + 8, (int) mediaSsrc);
        putShort(b, at + 12, (int) (base & 0xFFFF));
        putShort(b, at + 14, count);
        b[at + 16] = (byte) (reference >> 16);
        b[at + 17] = (byte) (reference >> 8);
        b[at + 18] = (byte) reference;
        b[at + 19] = (byte) feedbackCount++;
        nextToReport = end + 1;
        return len;
    }
}
