package org.parley.relay.client.e2ee;

import org.parley.relay.client.MediaKind;

/**
 * How many bytes of an encoded frame stay readable after encryption, so the relay can still tell
 * keyframes apart and forward without keys (as Jitsi does for VP8): the VP8 payload header of
 * RFC 6386 §9.1 (10 bytes of a keyframe: frame tag, start code, size; 3 of a delta frame: the
 * frame tag) and an Opus packet's TOC byte (RFC 6716 §3.1). They are authenticated as SFrame
 * metadata, so they cannot be altered unnoticed either.
 */
final class ClearPrefix {

    static final int VP8_KEYFRAME = 10;
    static final int VP8_DELTA = 3;
    static final int OPUS = 1;

    private ClearPrefix() {
    }

    /** The clear bytes of {@code frame}; never more than the frame has. */
    static int length(MediaKind kind, byte[] frame) {
        int wanted = switch (kind) {
            case AUDIO -> OPUS;
            // the P bit, bit 0 of the VP8 frame tag, is 0 for a keyframe
            case VIDEO -> frame.length > 0 && (frame[0] & 0x01) == 0 ? VP8_KEYFRAME : VP8_DELTA;
        };
        return Math.min(wanted, frame.length);
    }
}
