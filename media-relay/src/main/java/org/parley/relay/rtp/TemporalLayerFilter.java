package org.parley.relay.rtp;

/**
 * Which temporal layers of a VP8 stream one receiver gets, so that a receiver asking for a lower
 * frame rate gets one (RFC 7741 §4.2: each packet's TID names its frame's temporal layer; a frame
 * refers only to frames of its own layer or lower, so the lower layers alone decode). Chromium
 * sends each simulcast layer as three temporal layers (L1T3: TL0 a quarter of the frames, TL0+1
 * half, all of them the full rate).
 *
 * <p>The verdict is taken per frame, at its first packet, and holds for the rest of it. Stepping
 * down is safe at any frame (nothing below refers to what is dropped); stepping up one layer only
 * at a frame of that layer with the layer sync bit Y (it refers to TL0 frames only, RFC 7741 §4.2)
 * or at a keyframe, since earlier frames of that layer never reached the receiver. Dropped frames
 * are taken out of the PictureID sequence (forwarded PictureIDs are lowered by the count dropped),
 * so the receiver's decoder sees consecutive pictures; TL0PICIDX needs nothing, TL0 is never
 * dropped. Sequence numbers close up in {@link StreamRewriter#skip}.
 *
 * <p>A stream without TIDs (H.264, VP8 without temporal layers) is forwarded whole. Packet path:
 * one forwarding thread, no allocation, no lock; the target is set from the allocator's thread.
 */
public final class TemporalLayerFilter {

    /** Every temporal layer (TID is two bits). */
    public static final int ALL = 3;
    /** PictureID shifts remembered for retransmissions, by receiver sequence number. */
    private static final int RING = 1024;
    private static final long VALID = 1L << 62;

    private volatile int target = ALL;
    /** The highest temporal layer forwarded now. */
    private int current = ALL;
    /** The PictureID of the frame whose verdict holds, -1 none; and that verdict. */
    private int framePictureId = -1;
    private boolean frameDropped;
    /** Pictures dropped so far: forwarded PictureIDs are lowered by this many. */
    private int droppedPictures;
    /** The shift of the frame being forwarded (later packets of it get the same one). */
    private int frameShift;
    /** By receiver sequence number: VALID | outSeq << 32 | PictureID shift, for repairs. */
    private final long[] shifts = new long[RING];

    /** The highest temporal layer to forward from now on, {@link #ALL} for every one. */
    public void setTarget(int temporalLayer) {
        if (temporalLayer < 0 || temporalLayer > ALL) {
            throw new IllegalArgumentException("temporal layer must be 0.." + ALL + ", got " + temporalLayer);
        }
        target = temporalLayer;
    }

    public int target() {
        return target;
    }

    /**
     * Whether the packet whose VP8 payload starts at {@code payloadOff} goes to the receiver. Reads
     * the packet only (it is shared with other receivers).
     *
     * @param keyframe the packet starts a keyframe: every layer can start here
     */
    public boolean admit(byte[] b, int payloadOff, int payloadLen, boolean keyframe) {
        int tidAt = Vp8Descriptor.temporalByteAt(b, payloadOff, payloadLen);
        if (tidAt < 0) {
            return true;
        }
        int tid = (b[tidAt] & 0xc0) >> 6;
        int pidAt = Vp8Descriptor.pictureIdAt(b, payloadOff, payloadLen);
        int pid = pidAt < 0 ? -1 : Vp8Descriptor.pictureId(b, pidAt);
        boolean start = Vp8Descriptor.startsFrame(b, payloadOff);
        if (keyframe && start) {
            // Always a new frame, whatever its PictureID: after a simulcast switch (made at a
            // keyframe) the PictureIDs are another encoder's and may lie "behind" the old
            // layer's, which made every later frame look like a late repair, so the filter never
            // took a new verdict and forwarded every layer whatever the target.
        } else if (pid < 0) {
            // no PictureIDs to tell frames apart: only a frame's first packet may change the verdict
            if (!start) {
                return tid <= current;
            }
        } else if (pid == framePictureId) {
            return !frameDropped;
        } else if (framePictureId >= 0 && !newerPicture(pid, framePictureId, (b[pidAt] & 0x80) != 0)) {
            // a late packet (a repair) of a frame already decided and counted: it goes by its layer
            return tid <= current;
        }
        // the first packet of a new frame to arrive (its start, or a later one when the start was lost)
        int t = target;
        boolean sync = (b[tidAt] & 0x20) != 0;
        if ((keyframe && start) || t < current) {
            current = t;
        } else if (t > current && tid == current + 1 && sync) {
            current = tid;
        }
        framePictureId = pid;
        frameDropped = tid > current;
        if (frameDropped) {
            droppedPictures++;
        } else {
            frameShift = droppedPictures;
        }
        return !frameDropped;
    }

    /** Whether PictureID {@code a} comes after {@code b}, in 15- or 7-bit PictureID space. */
    private static boolean newerPicture(int a, int b, boolean fifteenBits) {
        int mask = fifteenBits ? 0x7FFF : 0x7F;
        int d = (a - b) & mask;
        return d != 0 && d <= mask / 2;
    }

    /**
     * Lowers the PictureID of a forwarded packet (the receiver's copy, already given receiver
     * sequence number {@code outSeq}) by the pictures dropped before its frame.
     */
    public void rewrite(byte[] b, int payloadOff, int payloadLen, int outSeq) {
        int pidAt = Vp8Descriptor.pictureIdAt(b, payloadOff, payloadLen);
        if (pidAt < 0) {
            return;
        }
        int pid = Vp8Descriptor.pictureId(b, pidAt);
        int shift = pid == framePictureId ? frameShift : droppedPictures;
        shifts[outSeq & (RING - 1)] = VALID | (long) outSeq << 32 | (shift & 0xFFFFFFFFL);
        if (shift != 0) {
            Vp8Descriptor.setPictureId(b, pidAt, pid - shift);
        }
    }

    /** Gives a retransmission of receiver sequence number {@code outSeq} the PictureID it was first sent with. */
    public void rewriteRepair(byte[] b, int payloadOff, int payloadLen, int outSeq) {
        int pidAt = Vp8Descriptor.pictureIdAt(b, payloadOff, payloadLen);
        long e = shifts[outSeq & (RING - 1)];
        if (pidAt < 0 || (e & VALID) == 0 || ((e >> 32) & 0xFFFF) != outSeq) {
            return;
        }
        int shift = (int) e;
        if (shift != 0) {
            Vp8Descriptor.setPictureId(b, pidAt, Vp8Descriptor.pictureId(b, pidAt) - shift);
        }
    }
}
