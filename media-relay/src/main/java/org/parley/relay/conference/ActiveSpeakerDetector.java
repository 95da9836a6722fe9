package org.parley.relay.conference;

import java.util.Collection;

/**
 * Picks the conference's active speaker from the smoothed RFC 6464 audio levels of its
 * publishers, those on this relay and those on linked relays alike (cascading: each relay of a
 * conference sees every publisher's levels, so each picks the same speaker). A new speaker must be clearly louder than the current one, so two people talking
 * at once do not make the choice flap.
 */
final class ActiveSpeakerDetector {

    /** Below this smoothed loudness (127 - dBov) nobody is speaking (about -75 dBov). */
    private static final double SPEECH_THRESHOLD = 52;
    /** How much louder a challenger must be than the current speaker. */
    private static final double HYSTERESIS = 6;

    private volatile String current;

    String current() {
        return current;
    }

    /** Returns the new speaker's endpoint id when it changed, else null. */
    synchronized String update(Collection<? extends Publisher> publishers, long nowNanos) {
        Publisher loudest = null;
        double loudestScore = 0;
        double currentScore = 0;
        for (Publisher e : publishers) {
            double score = e.speechScore(nowNanos);
            if (e.id().equals(current)) {
                currentScore = score;
            }
            if (score > loudestScore) {
                loudest = e;
                loudestScore = score;
            }
        }
        if (loudest == null || loudestScore < SPEECH_THRESHOLD || loudest.id().equals(current)) {
            return null;
        }
        if (current != null && loudestScore < currentScore + HYSTERESIS) {
            return null;
        }
        current = loudest.id();
        return current;
    }
}
