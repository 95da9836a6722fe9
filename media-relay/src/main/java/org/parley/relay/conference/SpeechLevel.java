package org.parley.relay.conference;

import org.parley.relay.rtp.RtpPacket;

/**
 * How loudly one publisher speaks, from the RFC 6464 audio levels its microphone's packets carry,
 * smoothed so that one loud packet does not make a speaker: what {@link ActiveSpeakerDetector}
 * compares. Fed by the one thread that receives the publisher's audio (its own connection, or a
 * relay-to-relay link for a publisher on a linked relay); read by the relay timer.
 */
final class SpeechLevel {

    /** A level older than this counts as silence (the publisher stopped sending or muted). */
    private static final long STALE_NANOS = 1_000_000_000L;

    private volatile double score;
    private volatile long lastLevelNanos;

    /** Reads the audio level extension {@code extensionId} (0: none negotiated) of one packet. */
    void read(byte[] b, int off, int len, int extensionId, long now) {
        if (extensionId <= 0) {
            return;
        }
        int at = RtpPacket.findExtension(b, off, len, extensionId);
        if (at < 0) {
            return;
        }
        // RFC 6464 section 3: level in -dBov, 0 loudest, 127 silence.
        int level = b[at] & 0x7f;
        double loudness = 127 - level;
        score = score * 0.8 + loudness * 0.2;
        lastLevelNanos = now;
    }

    /** Loudness of the last second, 0 (silent) .. 127 (0 dBov). */
    double score(long nowNanos) {
        return nowNanos - lastLevelNanos > STALE_NANOS ? 0 : score;
    }
}
