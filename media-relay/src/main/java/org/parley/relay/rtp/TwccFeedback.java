package org.parley.relay.rtp;

import static org.parley.relay.rtp.RtpPacket.u16;

/**
 * Reads a receiver's transport-wide congestion control feedback
 * (draft-holmer-rmcat-transport-wide-cc-extensions-01 section 3.1), the format
 * {@link TwccRecorder} writes: for each transport sequence number from the base on, whether it
 * arrived and when. Reading allocates nothing; a malformed message is refused whole before any
 * packet is reported, so bad input changes nothing.
 */
public final class TwccFeedback {

    /** Receives each reported packet, in sequence order. */
    public interface Visitor {
        /**
         * @param sequence 16-bit transport-wide sequence number
         * @param arrivalMicros receive time on the receiver's clock (its reference time plus the
         *     deltas; only differences between packets mean something), or -1 when not received
         */
        void onPacket(int sequence, long arrivalMicros);
    }

    /** Fixed part: RTCP feedback header (12), base, count, reference time and feedback count (8). */
    public static final int MIN_LENGTH = 20;
    /** Section 3.1.5: receive deltas are multiples of 250 microseconds. */
    private static final long TICK_MICROS = 250;
    /** Section 3.1: reference time is in multiples of 64 ms. */
    private static final long REFERENCE_MICROS = 64_000;

    private TwccFeedback() {
    }

    /** True when the RTCP part at {@code at} (its length from its header) is a TWCC message. */
    public static boolean isTwcc(byte[] b, int at) {
        return RtcpPacket.type(b, at) == RtcpPacket.RTPFB && RtcpPacket.countOrFormat(b, at) == RtcpPacket.FMT_TWCC;
    }

    public static int baseSequence(byte[] b, int at) {
        return u16(b, at + 12);
    }

    public static int statusCount(byte[] b, int at) {
        return u16(b, at + 14);
    }

    /** The feedback packet count: tells a repeated or reordered message from a new one. */
    public static int feedbackCount(byte[] b, int at) {
        return b[at + 19] & 0xff;
    }

    /**
     * Checks the message of {@code len} bytes at {@code at}, then reports every packet it covers
     * to {@code visitor}. Returns false, having reported nothing, when it is malformed: too short,
     * a reserved status symbol, chunks or deltas running past the end.
     */
    public static boolean read(byte[] b, int at, int len, Visitor visitor) {
        if (!walk(b, at, len, null)) {
            return false;
        }
        walk(b, at, len, visitor);
        return true;
    }

    /** True when {@link #read} would accept the message. */
    public static boolean isValid(byte[] b, int at, int len) {
        return walk(b, at, len, null);
    }

    private static boolean walk(byte[] b, int at, int len, Visitor visitor) {
        if (len < MIN_LENGTH || at < 0 || at + len > b.length) {
            return false;
        }
        int end = at + len;
        if ((b[at] & 0x20) != 0) {
            // RFC 3550 section 6.4.1: the last octet counts the padding, itself included.
            int pad = b[end - 1] & 0xff;
            if (pad == 0 || pad > len - MIN_LENGTH) {
                return false;
            }
            end -= pad;
        }
        int base = baseSequence(b, at);
        int count = statusCount(b, at);
        // Section 3.1: a 24-bit signed reference time.
        int ref = ((b[at + 16] & 0xff) << 16) | ((b[at + 17] & 0xff) << 8) | (b[at + 18] & 0xff);
        long time = (long) ((ref << 8) >> 8) * REFERENCE_MICROS;
        // First pass over the chunks finds where the deltas start; the walk below reads both.
        int chunks = at + MIN_LENGTH;
        int covered = 0;
        while (covered < count) {
            if (chunks + 2 > end) {
                return false;
            }
            covered += symbolsIn(u16(b, chunks));
            chunks += 2;
        }
        int deltas = chunks;
        int c = at + MIN_LENGTH;
        int seq = 0;
        while (seq < count) {
            int chunk = u16(b, c);
            c += 2;
            int n = Math.min(symbolsIn(chunk), count - seq);
            for (int k = 0; k < n; k++, seq++) {
                int symbol = symbol(chunk, k);
                int sequence = (base + seq) & 0xFFFF;
                if (symbol == 0) {
                    if (visitor != null) {
                        visitor.onPacket(sequence, -1);
                    }
                    continue;
                }
                if (symbol == 3) {
                    return false; // section 3.1.1: reserved
                }
                if (symbol == 1) {
                    if (deltas + 1 > end) {
                        return false;
                    }
                    time += (b[deltas] & 0xff) * TICK_MICROS;
                    deltas += 1;
                } else {
                    if (deltas + 2 > end) {
                        return false;
                    }
                    time += (short) u16(b, deltas) * TICK_MICROS;
                    deltas += 2;
                }
                if (visitor != null) {
                    visitor.onPacket(sequence, time);
                }
            }
        }
        return true;
    }

    /**
     * Packets one chunk describes: a run-length chunk (section 3.1.3, T=0) its 13-bit run; a
     * status vector chunk (section 3.1.4, T=1) 14 one-bit or 7 two-bit symbols.
     */
    private static int symbolsIn(int chunk) {
        if ((chunk & 0x8000) == 0) {
            return chunk & 0x1FFF;
        }
        return (chunk & 0x4000) == 0 ? 14 : 7;
    }

    /** Symbol {@code k} of a chunk: 0 not received, 1 small delta, 2 large or negative delta, 3 reserved. */
    private static int symbol(int chunk, int k) {
        if ((chunk & 0x8000) == 0) {
            return (chunk >> 13) & 0x3;
        }
        if ((chunk & 0x4000) == 0) {
            return (chunk >> (13 - k)) & 0x1;
        }
        return (chunk >> (2 * (6 - k))) & 0x3;
    }
}
