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
}
