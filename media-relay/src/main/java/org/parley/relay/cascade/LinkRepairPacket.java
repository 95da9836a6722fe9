package org.parley.relay.cascade;

import org.parley.relay.rtp.RtpPacket;
import org.parley.relay.transport.PacketBuffer;

/**
 * The format of a packet resent over a relay-to-relay link (docs/cluster.md "Cascading"): the
 * retransmission payload format of RFC 4588 section 4 (the original sequence number ahead of the
 * original payload, on a repair stream of its own so that SRTP never protects two packets under
 * one SSRC and index), with the original SSRC ahead of it too, since one repair stream, the
 * sending relay's link SSRC, serves every source that crosses the link. The payload type, marker,
 * timestamp and header extensions stay the original's: the repair SSRC alone marks a repair, and
 * no SDP negotiates an RTX payload type between relays.
 *
 * <pre>
 * RTP header (SSRC = repair SSRC, sequence = repair stream's own) | original SSRC (4) | OSN (2) | payload
 * </pre>
 */
public final class LinkRepairPacket {

    /** Bytes a repair adds to the packet it carries. */
    public static final int OVERHEAD = 6;

    private LinkRepairPacket() {
    }

    /**
     * Turns the plain RTP packet of {@code len} bytes at the start of {@code b} into its repair, in
     * place; returns the repair's length, or -1 when it would not fit a link datagram. RTP padding
     * is not carried over (RFC 4588 section 4: the payload is the original payload).
     */
    public static int wrap(byte[] b, int len, long repairSsrc, int repairSequence) {
        int header = RtpPacket.headerLength(b, 0, len);
        int payload = RtpPacket.payloadLength(b, 0, len);
        if (header < 12 || payload < 0 || header + OVERHEAD + payload > PacketBuffer.MAX_PACKET - LinkSocket.HEADER) {
            return -1;
        }
        long ssrc = RtpPacket.ssrc(b, 0);
        int seq = RtpPacket.sequence(b, 0);
        System.arraycopy(b, header, b, header + OVERHEAD, payload);
        RtpPacket.putInt(b, header, (int) ssrc);
        RtpPacket.putShort(b, header + 4, seq);
        b[0] &= ~0x20;
        RtpPacket.setSsrc(b, 0, repairSsrc);
        RtpPacket.setSequence(b, 0, repairSequence & 0xFFFF);
        return header + OVERHEAD + payload;
    }

    /** The SSRC of the packet a repair carries; -1 when it is too short to carry one. */
    public static long originalSsrc(byte[] b, int off, int len) {
        int header = RtpPacket.headerLength(b, off, len);
        return header < 12 || RtpPacket.payloadLength(b, off, len) < OVERHEAD ? -1 : RtpPacket.u32(b, off + header);
    }

    /** The sequence number of the packet a repair carries (after {@link #originalSsrc} said it has one). */
    public static int originalSequence(byte[] b, int off, int len) {
        return RtpPacket.u16(b, off + RtpPacket.headerLength(b, off, len) + 4);
    }

    /** Turns a repair back into the packet it carries, in place; returns that packet's length. */
    public static int unwrap(byte[] b, int off, int len) {
        int header = RtpPacket.headerLength(b, off, len);
        int payload = RtpPacket.payloadLength(b, off, len);
        long ssrc = RtpPacket.u32(b, off + header);
        int seq = RtpPacket.u16(b, off + header + 4);
        System.arraycopy(b, off + header + OVERHEAD, b, off + header, payload - OVERHEAD);
        b[off] &= ~0x20;
        RtpPacket.setSsrc(b, off, ssrc);
        RtpPacket.setSequence(b, off, seq);
        return header + payload - OVERHEAD;
    }
}
