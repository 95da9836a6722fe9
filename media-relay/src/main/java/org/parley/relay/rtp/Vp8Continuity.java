package org.parley.relay.rtp;

/**
 * Keeps one receiver's VP8 PictureID and TL0PICIDX (RFC 7741 §4.2) running on across simulcast
 * layer switches. Each simulcast layer comes from its own encoder with sequences of its own;
 * forwarded as they are, a switch makes both jump, and libwebrtc's VP8 reference finder
 * ({@code RtpVp8RefFinder}) takes the PictureIDs it skipped over or left behind (the old layer's
 * last frame, cut short by the switch) as frames not yet received: a delta frame whose reference
 * lies before such a PictureID waits for it, until the next keyframe. In BandwidthAdaptationIT
 * (docs/e2e.md) that stalled a receiver 2-3 s with every packet arriving. So at the first packet
 * of a new layer (a keyframe: {@code LayerSelection} switches only there) both are offset to
 * continue from the last ones sent, as Jitsi and LiveKit do; the offsets each sent packet got are
 * kept by receiver sequence number, so a retransmission carries the same values.
 *
 * <p>Runs after {@link TemporalLayerFilter#rewrite} (which closes up the PictureIDs of dropped
 * temporal layers). Packet path: one forwarding thread (repairs under the stream's RTX lock), no
 * allocation, no lock.
 */
public final class Vp8Continuity {

    /** Offsets remembered for retransmissions, by receiver sequence number. */
    private static final int RING = 1024;
    private static final long VALID = 1L << 62;

    private int layer = -1;
    private int pictureIdOffset;
    private int tl0Offset;
    /** The newest PictureID (15-bit space) and TL0PICIDX sent, -1 none yet. */
    private int lastPictureId = -1;
    private int lastTl0 = -1;
    /** By receiver sequence number: VALID | outSeq << 32 | PictureID offset << 8 | TL0PICIDX offset. */
    private final long[] offsets = new long[RING];

    /**
     * Rewrites a forwarded packet of simulcast {@code layer} (the receiver's copy, already given
     * receiver sequence number {@code outSeq}).
     */
    public void rewrite(byte[] b, int payloadOff, int payloadLen, int layer, int outSeq) {
        int pidAt = Vp8Descriptor.pictureIdAt(b, payloadOff, payloadLen);
        int tl0At = Vp8Descriptor.tl0PicIdxAt(b, payloadOff, payloadLen);
        if (layer != this.layer) {
            this.layer = layer;
            pictureIdOffset = pidAt < 0 || lastPictureId < 0 ? 0
                    : (lastPictureId + 1 - Vp8Descriptor.pictureId(b, pidAt)) & 0x7FFF;
            tl0Offset = tl0At < 0 || lastTl0 < 0 ? 0 : (lastTl0 + 1 - (b[tl0At] & 0xff)) & 0xFF;
        }
        offsets[outSeq & (RING - 1)] = VALID | (long) (outSeq & 0xFFFF) << 32 | (long) pictureIdOffset << 8 | tl0Offset;
        if (pidAt >= 0) {
            int out = (Vp8Descriptor.pictureId(b, pidAt) + pictureIdOffset) & 0x7FFF;
            Vp8Descriptor.setPictureId(b, pidAt, out);
            if (lastPictureId < 0 || newer(out, lastPictureId, 0x7FFF)) {
                lastPictureId = out;
            }
        }
        if (tl0At >= 0) {
            int out = ((b[tl0At] & 0xff) + tl0Offset) & 0xFF;
            b[tl0At] = (byte) out;
            if (lastTl0 < 0 || newer(out, lastTl0, 0xFF)) {
                lastTl0 = out;
            }
        }
    }

    /** Gives a retransmission of receiver sequence number {@code outSeq} the values it was first sent with. */
    public void rewriteRepair(byte[] b, int payloadOff, int payloadLen, int outSeq) {
        long e = offsets[outSeq & (RING - 1)];
        if ((e & VALID) == 0 || ((e >> 32) & 0xFFFF) != (outSeq & 0xFFFF)) {
            return;
        }
        int pidOffset = (int) (e >> 8) & 0x7FFF;
        int tl0 = (int) e & 0xFF;
        int pidAt = Vp8Descriptor.pictureIdAt(b, payloadOff, payloadLen);
        if (pidAt >= 0 && pidOffset != 0) {
            Vp8Descriptor.setPictureId(b, pidAt, Vp8Descriptor.pictureId(b, pidAt) + pidOffset);
        }
        int tl0At = Vp8Descriptor.tl0PicIdxAt(b, payloadOff, payloadLen);
        if (tl0At >= 0 && tl0 != 0) {
            b[tl0At] = (byte) ((b[tl0At] & 0xff) + tl0);
        }
    }

    /** Whether {@code a} comes after {@code b} in a sequence space of {@code mask} + 1 values. */
    private static boolean newer(int a, int b, int mask) {
        int d = (a - b) & mask;
        return d != 0 && d <= mask / 2;
    }
}
