package org.parley.relay.rtp;

import static org.parley.relay.rtp.RtpPacket.putInt;
import static org.parley.relay.rtp.RtpPacket.putShort;
import static org.parley.relay.rtp.RtpPacket.u16;
import static org.parley.relay.rtp.RtpPacket.u32;

/**
 * RTCP packet types and the reading and writing of the ones an SFU terminates or generates:
 * SR/RR (RFC 3550 section 6.4), generic NACK and TWCC (RFC 4585 section 6.2, transport-wide CC
 * draft), PLI and FIR (RFC 4585 section 6.3.1, RFC 5104 section 4.3.1), REMB (draft-alvestrand).
 */
public final class RtcpPacket {

    public static final int SR = 200;
    public static final int RR = 201;
    public static final int SDES = 202;
    public static final int BYE = 203;
    public static final int RTPFB = 205;
    public static final int PSFB = 206;
    public static final int FMT_NACK = 1;
    public static final int FMT_TWCC = 15;
    public static final int FMT_PLI = 1;
    public static final int FMT_FIR = 4;
    public static final int FMT_AFB = 15;

    private RtcpPacket() {
    }

    /**
     * True when {@code len} bytes are a well-formed compound packet: every part has version 2 and
     * a length that fits (RFC 3550 appendix A.2).
     */
    public static boolean isValidCompound(byte[] b, int off, int len) {
        if (len < 4) {
            return false;
        }
        int i = off;
        int end = off + len;
        while (i < end) {
            if (i + 4 > end || (b[i] & 0xC0) != 0x80) {
                return false;
            }
            int plen = length(b, i);
            if (i + plen > end) {
                return false;
            }
            i += plen;
        }
        return i == end;
    }

    /** Bytes of the part starting at {@code at}, header included. */
    public static int length(byte[] b, int at) {
        return (u16(b, at + 2) + 1) * 4;
    }

    public static int type(byte[] b, int at) {
        return b[at + 1] & 0xff;
    }

    /** The count field for SR/RR/SDES, the feedback message type (FMT) for RTPFB/PSFB. */
    public static int countOrFormat(byte[] b, int at) {
        return b[at] & 0x1f;
    }

    public static long senderSsrc(byte[] b, int at) {
        return u32(b, at + 4);
    }

    /** The media source SSRC of a feedback message (RFC 4585 section 6.1). */
    public static long mediaSsrc(byte[] b, int at) {
        return u32(b, at + 8);
    }

    private static void header(byte[] b, int at, int countOrFmt, int type, int lengthBytes) {
        b[at] = (byte) (0x80 | (countOrFmt & 0x1f));
        b[at + 1] = (byte) type;
        putShort(b, at + 2, lengthBytes / 4 - 1);
    }

    /** Writes a PLI; returns its length (12). */
    public static int writePli(byte[] b, int at, long sender, long media) {
        header(b, at, FMT_PLI, PSFB, 12);
        putInt(b, at + 4, (int) sender);
        putInt(b, at + 8, (int) media);
        return 12;
    }

    /** Writes a FIR for one media source (RFC 5104 section 4.3.1.1); returns 20. */
    public static int writeFir(byte[] b, int at, long sender, long media, int seqNr) {
        header(b, at, FMT_FIR, PSFB, 20);
        putInt(b, at + 4, (int) sender);
        putInt(b, at + 8, 0);
        putInt(b, at + 12, (int) media);
        b[at + 16] = (byte) seqNr;
        b[at + 17] = 0;
        b[at + 18] = 0;
        b[at + 19] = 0;
        return 20;
    }

    /**
     * Writes a generic NACK for up to 17 sequence numbers starting at {@code pid} given as a
     * bitmask (RFC 4585 section 6.2.1); returns 16.
     */
    public static int writeNack(byte[] b, int at, long sender, long media, int pid, int blp) {
        header(b, at, FMT_NACK, RTPFB, 16);
        putInt(b, at + 4, (int) sender);
        putInt(b, at + 8, (int) media);
        putShort(b, at + 12, pid);
        putShort(b, at + 14, blp);
        return 16;
    }

    /**
     * Writes generic NACKs (RFC 4585 section 6.2.1) for the {@code count} sequence numbers in
     * {@code seqs} (ascending, modulo 2^16): one FCI per run of up to 17 within a packet id and its
     * bitmask, one RTPFB packet per FCI. Returns the bytes written.
     */
    public static int writeNacks(byte[] b, int at, long sender, long media, int[] seqs, int count) {
        int written = 0;
        for (int i = 0; i < count;) {
            int pid = seqs[i];
            int blp = 0;
            int j = i + 1;
            for (; j < count; j++) {
                int distance = (seqs[j] - pid) & 0xFFFF;
                if (distance > 16) {
                    break;
                }
                blp |= 1 << (distance - 1);
            }
            written += writeNack(b, at + written, sender, media, pid, blp);
            i = j;
        }
        return written;
    }

    /**
     * The sequence numbers a generic NACK of {@code plen} bytes at {@code at} asks for, written to
     * {@code out} (at most its length); returns how many.
     */
    public static int nackedSequences(byte[] b, int at, int plen, int[] out) {
        int n = 0;
        for (int fci = at + 12; fci + 4 <= at + plen; fci += 4) {
            int pid = u16(b, fci);
            int blp = u16(b, fci + 2);
            if (n < out.length) {
                out[n++] = pid;
            }
            for (int bit = 0; bit < 16 && n < out.length; bit++) {
                if ((blp & (1 << bit)) != 0) {
                    out[n++] = (pid + bit + 1) & 0xFFFF;
                }
            }
        }
        return n;
    }

    /** Writes an SR with no report blocks; returns 28. */
    public static int writeSenderReport(byte[] b, int at, long ssrc, long ntp, long rtpTimestamp, long packets,
            long octets) {
        header(b, at, 0, SR, 28);
        putInt(b, at + 4, (int) ssrc);
        putInt(b, at + 8, (int) (ntp >>> 32));
        putInt(b, at + 12, (int) ntp);
        putInt(b, at + 16, (int) rtpTimestamp);
        putInt(b, at + 20, (int) packets);
        putInt(b, at + 24, (int) octets);
        return 28;
    }

    /** Writes the header of an RR with {@code blocks} report blocks of 24 bytes to follow. */
    public static int writeReceiverReportHeader(byte[] b, int at, long ssrc, int blocks) {
        header(b, at, blocks, RR, 8 + 24 * blocks);
        putInt(b, at + 4, (int) ssrc);
        return 8;
    }

    /**
     * Writes a REMB (draft-alvestrand-rmcat-remb section 2): the receiver's estimate of the
     * bitrate it can take, for the listed media SSRCs. Returns its length.
     */
    public static int writeRemb(byte[] b, int at, long sender, long bitrateBps, long[] ssrcs) {
        int len = 20 + 4 * ssrcs.length;
        header(b, at, FMT_AFB, PSFB, len);
        putInt(b, at + 4, (int) sender);
        putInt(b, at + 8, 0);
        b[at + 12] = 'R';
        b[at + 13] = 'E';
        b[at + 14] = 'M';
        b[at + 15] = 'B';
        int exp = 0;
        long mantissa = bitrateBps;
        while (mantissa > 0x3FFFF) {
            mantissa >>= 1;
            exp++;
        }
        b[at + 16] = (byte) ssrcs.length;
        b[at + 17] = (byte) ((exp << 2) | (int) (mantissa >> 16));
        b[at + 18] = (byte) (mantissa >> 8);
        b[at + 19] = (byte) mantissa;
        for (int i = 0; i < ssrcs.length; i++) {
            putInt(b, at + 20 + 4 * i, (int) ssrcs[i]);
        }
        return len;
    }

    /** True when a PSFB application-layer message is a REMB. */
    public static boolean isRemb(byte[] b, int at, int len) {
        return len >= 20 && b[at + 12] == 'R' && b[at + 13] == 'E' && b[at + 14] == 'M' && b[at + 15] == 'B';
    }

    /**
     * The bitrate of a REMB in bits per second. A 6-bit exponent on an 18-bit mantissa can say up
     * to 2^81 (draft-alvestrand-rmcat-remb section 2.2); what does not fit 63 bits reads as
     * {@link Long#MAX_VALUE}, where the shift would wrap to a negative rate.
     */
    public static long rembBitrate(byte[] b, int at) {
        int exp = (b[at + 17] & 0xff) >> 2;
        long mantissa = ((b[at + 17] & 0x03L) << 16) | ((b[at + 18] & 0xffL) << 8) | (b[at + 19] & 0xffL);
        if (mantissa != 0 && exp >= Long.numberOfLeadingZeros(mantissa)) {
            return Long.MAX_VALUE;
        }
        return mantissa << exp;
    }
}
