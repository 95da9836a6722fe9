package org.parley.relay.rtp;

import static org.parley.relay.rtp.RtpPacket.ONE_BYTE_PROFILE;
import static org.parley.relay.rtp.RtpPacket.putShort;
import static org.parley.relay.rtp.RtpPacket.u16;

/**
 * Writes the transport-wide sequence number header extension
 * (draft-holmer-rmcat-transport-wide-cc-extensions-01 section 2: a 16-bit number, one per packet
 * of the connection) into an RTP packet in place. A forwarded packet usually carries the
 * publisher's element already, renumbered to the relay's id: its value is overwritten. Otherwise
 * an element is added, in the free bytes of a one-byte extension block (RFC 8285 section 4.2), by
 * growing that block one word, or by adding a block; the payload then moves, which needs up to
 * {@link #MAX_GROWTH} bytes free after the packet.
 */
public final class TransportSequenceNumber {

    /** The most a packet grows by: a new block's 4-byte header and one word of elements. */
    public static final int MAX_GROWTH = 8;

    private TransportSequenceNumber() {
    }

    /**
     * Sets the extension {@code id} (1..14) of the packet of {@code len} bytes at {@code off} to
     * {@code sequence}; returns the packet's new length, or -1 when it cannot (a two-byte header
     * extension block, RFC 8285 section 4.3, or the packet would have to grow past {@code limit},
     * the index it must end before).
     */
    public static int write(byte[] b, int off, int len, int limit, int id, int sequence) {
        int existing = RtpPacket.findExtension(b, off, len, id);
        if (existing >= 0) {
            if ((b[existing - 1] & 0x0f) != 1) {
                return -1;
            }
            putShort(b, existing, sequence);
            return len;
        }
        int blockStart = off + 12 + 4 * (b[off] & 0x0f);
        if ((b[off] & 0x10) == 0) {
            return addBlock(b, off, len, limit, blockStart, id, sequence);
        }
        if (blockStart + 4 > off + len || u16(b, blockStart) != ONE_BYTE_PROFILE) {
            return -1;
        }
        int blockEnd = blockStart + 4 + 4 * u16(b, blockStart + 2);
        if (blockEnd > off + len) {
            return -1;
        }
        int used = endOfElements(b, blockStart + 4, blockEnd);
        if (used < 0) {
            return -1;
        }
        if (blockEnd - used >= 3) {
            putElement(b, used, id, sequence);
            return len;
        }
        if (off + len + 4 > limit) {
            return -1;
        }
        System.arraycopy(b, blockEnd, b, blockEnd + 4, off + len - blockEnd);
        for (int i = blockEnd; i < blockEnd + 4; i++) {
            b[i] = 0;
        }
        putShort(b, blockStart + 2, u16(b, blockStart + 2) + 1);
        putElement(b, used, id, sequence);
        return len + 4;
    }

    private static int addBlock(byte[] b, int off, int len, int limit, int at, int id, int sequence) {
        if (at > off + len || off + len + MAX_GROWTH > limit) {
            return -1;
        }
        System.arraycopy(b, at, b, at + MAX_GROWTH, off + len - at);
        putShort(b, at, ONE_BYTE_PROFILE);
        putShort(b, at + 2, 1);
        putElement(b, at + 4, id, sequence);
        b[at + 7] = 0;
        b[off] |= 0x10;
        return len + MAX_GROWTH;
    }

    /** Where padding after the last element begins (the block's end when there is none). */
    private static int endOfElements(byte[] b, int i, int end) {
        int used = i;
        while (i < end) {
            int h = b[i] & 0xff;
            if (h == 0) {
                i++;
                continue;
            }
            if (h >> 4 == 15) {
                return -1; // RFC 8285 section 4.2: id 15 stops processing; nothing may follow
            }
            i += 2 + (h & 0x0f);
            if (i > end) {
                return -1;
            }
            used = i;
        }
        return used;
    }

    private static void putElement(byte[] b, int at, int id, int sequence) {
        b[at] = (byte) (id << 4 | 1);
        putShort(b, at + 1, sequence);
    }
}
