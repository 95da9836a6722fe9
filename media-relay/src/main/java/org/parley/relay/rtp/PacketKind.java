package org.parley.relay.rtp;

/** What a datagram on a bundled 5-tuple is, told by its first bytes (RFC 7983 section 7). */
public enum PacketKind {
    STUN, DTLS, RTP, RTCP, UNKNOWN;

    public static PacketKind of(byte[] buf, int off, int len) {
        if (len < 1) {
            return UNKNOWN;
        }
        int b = buf[off] & 0xff;
        if (b <= 3) {
            return STUN;
        }
        if (b >= 20 && b <= 63) {
            return DTLS;
        }
        if (b >= 128 && b <= 191) {
            if (len < 2) {
                return UNKNOWN;
            }
            // RTP and RTCP share the port with rtcp-mux; RTCP packet types are 192..223
            // where RTP payload types with the marker bit would collide (RFC 5761 section 4).
            int pt = buf[off + 1] & 0xff;
            return pt >= 192 && pt <= 223 ? RTCP : RTP;
        }
        return UNKNOWN;
    }
}
