package org.parley.relay.client;

/**
 * What a sender does to each encoded frame before it is packetized, as WebRTC Encoded Transform
 * lets an app do in the browser: end-to-end encryption (see
 * {@link org.parley.relay.client.e2ee.FrameEncryptor}). The identity by default.
 */
@FunctionalInterface
public interface FrameTransform {

    FrameTransform NONE = (kind, frame) -> frame;

    /** The bytes to packetize instead of {@code frame} (a VP8 frame starting with its frame tag, or an Opus packet). */
    byte[] apply(MediaKind kind, byte[] frame);
}
