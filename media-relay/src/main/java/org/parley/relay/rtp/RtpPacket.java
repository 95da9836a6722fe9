package org.parley.relay.rtp;

/**
 * Reads and rewrites the fixed RTP header (RFC 3550 section 5.1) and one-byte header extensions
 * (RFC 8285 section 4.2) in place, without allocating.
 */
public final class RtpPacket {

    /** The profile marker of one-byte header extensions. */
    public static final int ONE_BYTE_PROFILE = 0xBEDE;

    private RtpPacket() {
    }

    /** True when the bytes hold a well-formed RTP header whose lengths fit inside {@code len}. */
    public static boolean isValid(byte[] b, int off, int len) {
        if (len < 12 || (b[off] & 0xC0) != 0x80) {
            return false;
        }
        int header = headerLength(b, off, len);
        if (header < 0 || header > len) {
            return false;
        }
        if ((b[off] & 0x20) != 0) {
            int pad = b[off + len - 1] & 0xff;
            return pad > 0 && header + pad <= len;
        }
        return true;
    }

    /** Length of fixed header, CSRCs and extension; -1 when they overrun {@code len}. */
    public static int headerLength(byte[] b, int off, int len) {
        int cc = b[off] & 0x0f;
        int n = 12 + 4 * cc;
        if ((b[off] & 0x10) != 0) {
            if (n + 4 > len) {
                return -1;
            }
            int words = u16(b, off + n + 2);
            n += 4 + 4 * words;
        }
        return n > len ? -1 : n;
    }

    /** Payload length without padding. */
    public static int payloadLength(byte[] b, int off, int len) {
        int pad = (b[off] & 0x20) != 0 ? b[off + len - 1] & 0xff : 0;
        return len - headerLength(b, off, len) - pad;
    }

    public static int payloadType(byte[] b, int off) {
        return b[off + 1] & 0x7f;
    }

    public static void setPayloadType(byte[] b, int off, int pt) {
        b[off + 1] = (byte) ((b[off + 1] & 0x80) | (pt & 0x7f));
    }

    public static boolean marker(byte[] b, int off) {
        return (b[off + 1] & 0x80) != 0;
    }

    public static int sequence(byte[] b, int off) {
        return u16(b, off + 2);
    }

    public static void setSequence(byte[] b, int off, int seq) {
        b[off + 2] = (byte) (seq >> 8);
        b[off + 3] = (byte) seq;
    }

    public static long timestamp(byte[] b, int off) {
        return u32(b, off + 4);
    }

    public static void setTimestamp(byte[] b, int off, long ts) {
        putInt(b, off + 4, (int) ts);
    }

    public static long ssrc(byte[] b, int off) {
        return u32(b, off + 8);
    }

    public static void setSsrc(byte[] b, int off, long ssrc) {
        putInt(b, off + 8, (int) ssrc);
    }

    /**
     * Offset of the data of one-byte header extension {@code id}, or -1; its length is
     * {@code (b[result - 1] & 0x0f) + 1}.
     */
    public static int findExtension(byte[] b, int off, int len, int id) {
        if ((b[off] & 0x10) == 0) {
            return -1;
        }
        int start = off + 12 + 4 * (b[off] & 0x0f);
        if (start + 4 > off + len || u16(b, start) != ONE_BYTE_PROFILE) {
            return -1;
        }
        int end = start + 4 + 4 * u16(b, start + 2);
        if (end > off + len) {
            return -1;
        }
        int i = start + 4;
        while (i < end) {
            int h = b[i] & 0xff;
            if (h == 0) {
                i++;
                continue;
            }
            int eid = h >> 4;
            if (eid == 15) {
                return -1;
            }
            int elen = (h & 0x0f) + 1;
            if (i + 1 + elen > end) {
                return -1;
            }
            if (eid == id) {
                return i + 1;
            }
            i += 1 + elen;
        }
        return -1;
    }

    /**
     * Renumbers one-byte extensions in place from the sender's ids to the receiver's:
     * {@code map[oldId]} is the new id, 0 turns the element into padding (id 0 bytes, RFC 8285
     * section 4.2), which is how extensions the receiver did not negotiate are removed without
     * moving the payload.
     */
    public static void mapExtensionIds(byte[] b, int off, int len, byte[] map) {
        if ((b[off] & 0x10) == 0) {
            return;
        }
        int start = off + 12 + 4 * (b[off] & 0x0f);
        if (start + 4 > off + len || u16(b, start) != ONE_BYTE_PROFILE) {
            return;
        }
        int end = Math.min(start + 4 + 4 * u16(b, start + 2), off + len);
        int i = start + 4;
        while (i < end) {
            int h = b[i] & 0xff;
            if (h == 0) {
                i++;
                continue;
            }
            int eid = h >> 4;
            if (eid == 15) {
                return;
            }
            int elen = (h & 0x0f) + 1;
            int last = Math.min(i + 1 + elen, end);
            int nid = map[eid];
            if (nid == 0) {
                for (int j = i; j < last; j++) {
                    b[j] = 0;
                }
            } else {
                b[i] = (byte) ((nid << 4) | (h & 0x0f));
            }
            i = last;
        }
    }

    public static int u16(byte[] b, int at) {
        return ((b[at] & 0xff) << 8) | (b[at + 1] & 0xff);
    }

    public static long u32(byte[] b, int at) {
        return ((long) (b[at] & 0xff) << 24) | ((b[at + 1] & 0xff) << 16) | ((b[at + 2] & 0xff) << 8)
                | (b[at + 3] & 0xff);
    }

    public static void putInt(byte[] b, int at, int v) {
        b[at] = (byte) (v >> 24);
        b[at + 1] = (byte) (v >> 16);
        b[at + 2] = (byte) (v >> 8);
        b[at + 3] = (byte) v;
    }

    public static void putShort(byte[] b, int at, int v) {
        b[at] = (byte) (v >> 8);
        b[at + 1] = (byte) v;
    }
}
