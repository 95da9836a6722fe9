package org.parley.relay.client;

/** What an encoded frame carries, as far as a frame transform must know: Opus audio or VP8 video. */
public enum MediaKind {
    AUDIO, VIDEO
}
