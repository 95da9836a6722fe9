package org.parley.relay.conference;

import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicLong;
import org.parley.relay.control.SourceKind;
import org.parley.relay.rtp.RetransmissionCache;
import org.parley.relay.sdp.PublishedTrack;
import org.parley.relay.sdp.RelayCodec;

/**
 * One thing an endpoint publishes (its microphone, camera or screen share) and the receivers it
 * is forwarded to. Packets arrive on the publisher's receive thread, which alone forwards them.
 */
final class Source {

    /** Keyframe requests towards a publisher at most this often (RFC 4585 section 3.4 spirit). */
    private static final long PLI_INTERVAL_NANOS = 300_000_000L;

    private final Endpoint publisher;
    private final SourceKind kind;
    private final String mid;
    private final String mediaKind;
    private final RelayCodec[] codecByPayloadType = new RelayCodec[128];
    /** RTX payload type to the publisher payload type it repairs, -1 for none (RFC 4588 apt). */
    private final int[] repairedByRtxPayloadType = new int[128];
    private final RetransmissionCache cache;
    private final CopyOnWriteArrayList<ForwardedStream> sinks = new CopyOnWriteArrayList<>();
    private final AtomicLong lastPliNanos = new AtomicLong(System.nanoTime() - PLI_INTERVAL_NANOS);
    private final java.util.concurrent.atomic.AtomicBoolean pliScheduled =
            new java.util.concurrent.atomic.AtomicBoolean();
    private volatile long primarySsrc = -1;
    private volatile boolean muted;

    Source(Endpoint publisher, PublishedTrack track) {
        this.publisher = publisher;
        this.kind = track.sourceKind();
        this.mid = track.mid();
        this.mediaKind = track.kind();
        this.cache = "video".equals(track.kind()) ? new RetransmissionCache(1024, 2_000_000_000L) : null;
        update(track);
    }

    /** Applies a renegotiated offer of the same m-section. */
    void update(PublishedTrack track) {
        for (int i = 0; i < codecByPayloadType.length; i++) {
            codecByPayloadType[i] = null;
        }
        track.payloadTypes().forEach((pt, codec) -> codecByPayloadType[pt & 0x7f] = codec);
        java.util.Arrays.fill(repairedByRtxPayloadType, -1);
        track.rtxPayloadTypes().forEach((rtxPt, codec) -> track.payloadTypes().forEach((pt, c) -> {
            if (c == codec) {
                repairedByRtxPayloadType[rtxPt & 0x7f] = pt;
            }
        }));
        if (!track.ssrcs().isEmpty()) {
            primarySsrc = track.ssrcs().get(0);
        }
    }

    Endpoint publisher() {
        return publisher;
    }

    SourceKind kind() {
        return kind;
    }

    String mid() {
        return mid;
    }

    /** "audio" or "video", the m-section kind receivers need. */
    String mediaKind() {
        return mediaKind;
    }

    boolean isVideo() {
        return cache != null;
    }

    /** msid track id the receivers see: stable per publisher and kind. */
    String trackId() {
        return publisher.id() + "-" + kind.name().toLowerCase(java.util.Locale.ROOT);
    }

    RelayCodec codec(int payloadType) {
        return codecByPayloadType[payloadType & 0x7f];
    }

    /** The payload type an RTX payload type repairs, -1 when it is not one of this source's. */
    int repairedPayloadType(int rtxPayloadType) {
        return repairedByRtxPayloadType[rtxPayloadType & 0x7f];
    }

    int clockRate() {
        return "audio".equals(mediaKind) ? 48000 : 90000;
    }

    RetransmissionCache cache() {
        return cache;
    }

    long primarySsrc() {
        return primarySsrc;
    }

    void learnPrimarySsrc(long ssrc) {
        if (primarySsrc < 0) {
            primarySsrc = ssrc;
        }
    }

    boolean muted() {
        return muted;
    }

    void setMuted(boolean muted) {
        boolean was = this.muted;
        this.muted = muted;
        if (was && !muted) {
            sinks.forEach(ForwardedStream::requireKeyframe);
            requestKeyframe(true);
        }
    }

    CopyOnWriteArrayList<ForwardedStream> sinks() {
        return sinks;
    }

    void attach(ForwardedStream sink) {
        sinks.addIfAbsent(sink);
        requestKeyframe(true);
    }

    void detach(ForwardedStream sink) {
        sinks.remove(sink);
    }

    /**
     * Asks the publisher for a keyframe (PLI, RFC 4585 section 6.3.1), throttled so that many
     * receivers asking at once cost the publisher one keyframe. A request inside the throttle
     * window is not lost: one PLI goes out when the window ends.
     */
    void requestKeyframe(boolean force) {
        if (!isVideo() || primarySsrc < 0) {
            return;
        }
        long now = System.nanoTime();
        long last = lastPliNanos.get();
        long wait = last + PLI_INTERVAL_NANOS - now;
        if (!force && wait > 0) {
            if (pliScheduled.compareAndSet(false, true)) {
                publisher.schedule(() -> {
                    pliScheduled.set(false);
                    requestKeyframe(false);
                }, wait);
            }
            return;
        }
        if (lastPliNanos.compareAndSet(last, now)) {
            publisher.publisherSide().sendPli(primarySsrc);
        }
    }
}
