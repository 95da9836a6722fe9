package org.parley.relay.rtp;

/**
 * The VP8 payload descriptor in front of the VP8 bitstream in every RTP packet (RFC 7741 §4.2):
 * X|R|N|S|R|PID, then when X is set an I|L|T|K byte and the fields those bits announce.
 */
public final class Vp8Descriptor {

    private Vp8Descriptor() {
    }

    /** Bytes the descriptor at {@code off} takes, or -1 when it runs past {@code len}. */
    public static int length(byte[] b, int off, int len) {
        if (len < 1) {
            return -1;
        }
        int i = off + 1;
        if ((b[off] & 0x80) != 0) {
            if (i >= off + len) {
                return -1;
            }
            int ext = b[i++] & 0xff;
            if ((ext & 0x80) != 0) {
                if (i >= off + len) {
                    return -1;
                }
                // PictureID: 7 bits, or 15 when its M bit is set
                i += (b[i] & 0x80) != 0 ? 2 : 1;
            }
            if ((ext & 0x40) != 0) {
                i++; // TL0PICIDX
            }
            if ((ext & 0x30) != 0) {
                i++; // TID|Y|KEYIDX
            }
        }
        return i <= off + len ? i - off : -1;
    }

    /** S set and PID 0: the packet starts a frame (RFC 7741 §4.2). */
    public static boolean startsFrame(byte[] b, int off) {
        int x = b[off] & 0xff;
        return (x & 0x10) != 0 && (x & 0x07) == 0;
    }

    /**
     * Where the PictureID field starts (RFC 7741 §4.2: right after the extension byte when X and I
     * are set), or -1 when the descriptor has none or is cut short.
     */
    public static int pictureIdAt(byte[] b, int off, int len) {
        if (len < 3 || (b[off] & 0x80) == 0 || (b[off + 1] & 0x80) == 0) {
            return -1;
        }
        int at = off + 2;
        return (b[at] & 0x80) != 0 && len < 4 ? -1 : at;
    }

    /** The PictureID at {@code at} (from {@link #pictureIdAt}): 15 bits when its M bit is set, else 7. */
    public static int pictureId(byte[] b, int at) {
        return (b[at] & 0x80) != 0 ? ((b[at] & 0x7f) << 8) | (b[at + 1] & 0xff) : b[at] & 0x7f;
    }

    /** Writes a PictureID at {@code at} in the width already there, wrapping modulo that width. */
    public static void setPictureId(byte[] b, int at, int pictureId) {
        if ((b[at] & 0x80) != 0) {
            b[at] = (byte) (0x80 | ((pictureId >> 8) & 0x7f));
            b[at + 1] = (byte) pictureId;
        } else {
            b[at] = (byte) (pictureId & 0x7f);
        }
    }

    /**
     * Where the TL0PICIDX byte is (RFC 7741 §4.2: after the PictureID when present), or -1 when
     * the descriptor has none (L clear) or is cut short.
     */
    public static int tl0PicIdxAt(byte[] b, int off, int len) {
        if (len < 2 || (b[off] & 0x80) == 0 || (b[off + 1] & 0x40) == 0) {
            return -1;
        }
        int i = afterPictureId(b, off, len);
        return i >= 0 && i < off + len ? i : -1;
    }

    /** Just past the PictureID, or the extension byte when I is clear; -1 when cut short. */
    private static int afterPictureId(byte[] b, int off, int len) {
        int i = off + 2;
        if ((b[off + 1] & 0x80) != 0) {
            if (i >= off + len) {
                return -1;
            }
            i += (b[i] & 0x80) != 0 ? 2 : 1;
        }
        return i;
    }

    /**
     * Where the TID|Y|KEYIDX byte is (RFC 7741 §4.2: after PictureID and TL0PICIDX when present),
     * or -1 when the descriptor carries no temporal layer index (T clear: no temporal layering).
     */
    public static int temporalByteAt(byte[] b, int off, int len) {
        if (len < 2 || (b[off] & 0x80) == 0) {
            return -1;
        }
        int ext = b[off + 1] & 0xff;
        if ((ext & 0x20) == 0) {
            return -1;
        }
        int i = afterPictureId(b, off, len);
        if (i < 0) {
            return -1;
        }
        if ((ext & 0x40) != 0) {
            i++;
        }
        return i < off + len ? i : -1;
    }

    /** The temporal layer index (TID) of the packet, or -1 when the descriptor has none. */
    public static int temporalLayer(byte[] b, int off, int len) {
        int at = temporalByteAt(b, off, len);
        return at < 0 ? -1 : (b[at] & 0xc0) >> 6;
    }

    /**
     * The layer sync bit Y (RFC 7741 §4.2): the frame depends only on temporal layer 0 frames, so
     * a receiver that got none of its own layer's earlier frames can start that layer here.
     */
    public static boolean layerSync(byte[] b, int off, int len) {
        int at = temporalByteAt(b, off, len);
        return at >= 0 && (b[at] & 0x20) != 0;
    }
}
