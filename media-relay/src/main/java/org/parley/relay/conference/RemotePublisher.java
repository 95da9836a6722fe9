package org.parley.relay.conference;

import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.parley.relay.sdp.HeaderExtension;

/**
 * An endpoint of the conference that publishes on a linked relay: its sources arrive over the
 * link ({@link CascadeLink}) and this relay's receivers get them like a local endpoint's. Its
 * keyframe requests go back over the link to the relay the publisher is on.
 */
final class RemotePublisher implements Publisher {

    private final String id;
    private final CascadeLink link;
    private final Map<String, Source> byMid = new ConcurrentHashMap<>();
    /** When each source was last announced (System.nanoTime). */
    private final Map<String, Long> announced = new ConcurrentHashMap<>();
    private volatile byte[] extensionMap = new byte[16];
    /** The publisher's id of the RFC 6464 audio level extension in the packets that cross, 0: none. */
    private volatile int audioLevelId;
    private final SpeechLevel speech = new SpeechLevel();

    RemotePublisher(String id, CascadeLink link) {
        this.id = id;
        this.link = link;
    }

    @Override
    public String id() {
        return id;
    }

    @Override
    public byte[] forwardingExtensionMap() {
        return extensionMap;
    }

    @Override
    public void sendPli(long mediaSsrc) {
        link.sendPli(mediaSsrc);
    }

    @Override
    public double speechScore(long nowNanos) {
        return speech.score(nowNanos);
    }

    /**
     * One audio packet of this publisher crossed the link (link receive thread): its audio level
     * counts in this relay's active-speaker detection as a local publisher's does, so the dominant
     * speaker and last-N are the conference's, not only this relay's.
     */
    void audioArrived(byte[] b, int off, int len, long now) {
        speech.read(b, off, len, audioLevelId, now);
    }

    /** The publisher's own extension id that the announced map forwards as the audio level. */
    private static int audioLevelId(byte[] map) {
        for (int id = 1; id < map.length; id++) {
            if (map[id] == HeaderExtension.AUDIO_LEVEL.relayId()) {
                return id;
            }
        }
        return 0;
    }

    @Override
    public void packetMissing(long ssrc, int sequence, long nowNanos) {
        link.packetMissing(ssrc, sequence, nowNanos);
    }

    @Override
    public void schedule(Runnable task, long delayNanos) {
        link.schedule(task, delayNanos);
    }

    List<Source> sources() {
        return List.copyOf(byMid.values());
    }

    /** Applies an announcement; returns the source and whether it is new. */
    Source apply(SourceAnnouncement a, long now, boolean[] created) {
        if (!java.util.Arrays.equals(extensionMap, a.extensionMap())) {
            extensionMap = a.extensionMap().clone();
            audioLevelId = audioLevelId(extensionMap);
        }
        announced.put(a.mid(), now);
        Source s = byMid.get(a.mid());
        if (s == null || s.kind() != a.sourceKind() || !s.mediaKind().equals(a.kind())) {
            s = new Source(this, a.track());
            byMid.put(a.mid(), s);
            created[0] = true;
        } else if (!s.track().equals(a.track())) {
            s.update(a.track());
        }
        return s;
    }

    /** Forgets sources not announced since {@code before}; returns those forgotten. */
    List<Source> forgetSilent(long before) {
        List<Source> gone = new java.util.ArrayList<>();
        announced.entrySet().removeIf(e -> {
            if (e.getValue() - before < 0) {
                Source s = byMid.remove(e.getKey());
                if (s != null) {
                    gone.add(s);
                }
                return true;
            }
            return false;
        });
        return gone;
    }

    boolean isEmpty() {
        return byMid.isEmpty();
    }
}
