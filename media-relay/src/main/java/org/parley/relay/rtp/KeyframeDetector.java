package org.parley.relay.rtp;

import org.parley.relay.sdp.RelayCodec;

/**
 * Tells whether an RTP payload starts a keyframe, per codec, so a receiver that starts watching
 * a source (or is switched to another) gets its first packet at a decodable point.
 */
public final class KeyframeDetector {

    private KeyframeDetector() {
    }

    public static boolean isKeyframeStart(RelayCodec codec, byte[] b, int payloadOff, int payloadLen) {
        if (payloadLen <= 0) {
            return false;
        }
        return switch (codec) {
            case VP8 -> vp8(b, payloadOff, payloadLen);
            case VP9 -> vp9(b, payloadOff, payloadLen);
            case H264 -> h264(b, payloadOff, payloadLen);
            case AV1 -> av1(b, payloadOff, payloadLen);
            case OPUS -> true;
        };
    }

    /**
     * RFC 7741 section 4.2/4.3: S=1, PID=0, then the VP8 frame tag's P bit clear means key frame.
     * The frame tag is among the bytes end-to-end encryption leaves in clear (docs/e2ee.md), so
     * this works on encrypted media too.
     */
    static boolean vp8(byte[] b, int off, int len) {
        if (!Vp8Descriptor.startsFrame(b, off)) {
            return false;
        }
        int d = Vp8Descriptor.length(b, off, len);
        return d >= 0 && d < len && (b[off + d] & 0x01) == 0;
    }

    /** draft-ietf-payload-vp9 section 4.2: B (begin of frame) set and P (inter-picture) clear. */
    static boolean vp9(byte[] b, int off, int len) {
        int x = b[off] & 0xff;
        boolean interPicture = (x & 0x40) != 0;
        boolean beginOfFrame = (x & 0x08) != 0;
        return beginOfFrame && !interPicture;
    }

    /** RFC 6184: an IDR slice (5) or SPS (7), alone, in a STAP-A (24) or starting an FU-A (28). */
    static boolean h264(byte[] b, int off, int len) {
        int type = b[off] & 0x1f;
        if (type == 5 || type == 7) {
            return true;
        }
        if (type == 24) {
            int i = off + 1;
            while (i + 2 < off + len) {
                int size = RtpPacket.u16(b, i);
                int nal = b[i + 2] & 0x1f;
                if (nal == 5 || nal == 7) {
                    return true;
                }
                i += 2 + size;
            }
            return false;
        }
        if (type == 28 && len >= 2) {
            int fu = b[off + 1] & 0xff;
            int nal = fu & 0x1f;
            return (fu & 0x80) != 0 && (nal == 5 || nal == 7);
        }
        return false;
    }

    /** AV1 RTP spec section 4.4: the N bit marks the first packet of a coded video sequence. */
    static boolean av1(byte[] b, int off, int len) {
        return (b[off] & 0x08) != 0;
    }
}
