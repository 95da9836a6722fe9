package org.parley.relay.client;

import java.util.function.Function;

/**
 * VP8 payload descriptors of a camera encoding three temporal layers the way libwebrtc does by
 * default (L1T3): TIDs 0, 2, 1, 2 repeating, a 15-bit PictureID per frame, TL0PICIDX counting TL0
 * frames, and the layer sync bit Y on the TL2 and TL1 frames right after a TL0 one (they refer to
 * it alone). A keyframe restarts the pattern at TL0 (RFC 7741 §4.2).
 */
public final class TemporalLayers implements Function<Boolean, byte[]> {

    private static final int[] PATTERN = {0, 2, 1, 2};

    private int position;
    private int pictureId = 0x7FF0; // wraps early, as a long call's would
    private int tl0PicIdx = 0xFE;
    private int lastTid = -1;

    /** The descriptor of the next frame (one packet: S set). */
    @Override
    public synchronized byte[] apply(Boolean keyframe) {
        if (keyframe) {
            position = 0;
        }
        int tid = PATTERN[position];
        boolean sync = position == 1 || position == 2;
        if (tid == 0) {
            tl0PicIdx = (tl0PicIdx + 1) & 0xFF;
        }
        byte[] d = {(byte) 0x90, (byte) 0xE0, (byte) (0x80 | (pictureId >> 8)), (byte) pictureId, (byte) tl0PicIdx,
            (byte) ((tid << 6) | (sync ? 0x20 : 0))};
        pictureId = (pictureId + 1) & 0x7FFF;
        position = (position + 1) % PATTERN.length;
        lastTid = tid;
        return d;
    }

    /** The temporal layer of the last frame described. */
    public synchronized int lastTemporalLayer() {
        return lastTid;
    }
}
