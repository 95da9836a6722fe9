package org.parley.relay.conference;

import java.util.concurrent.CopyOnWriteArrayList;
import org.parley.relay.RelayMetrics;
import org.parley.relay.control.SourceKind;
import org.parley.relay.rtp.KeyframeDetector;
import org.parley.relay.rtp.PictureHeight;
import org.parley.relay.rtp.RtpPacket;
import org.parley.relay.rtp.TemporalLayerFilter;
import org.parley.relay.rtp.Vp8Descriptor;
import org.parley.relay.sdp.PublishedTrack;
import org.parley.relay.sdp.RelayCodec;

/**
 * One thing an endpoint publishes (its microphone, camera or screen share) and the receivers it
 * is forwarded to. Packets arrive on the publisher's receive thread, which alone forwards them.
 * A simulcast camera (RFC 8853) has several {@link Layer}s, index 0 the lowest resolution and
 * bitrate, the last the highest, in the order the publisher's a=simulcast (or a=ssrc-group:SIM)
 * lists them; everything else has one layer.
 */
final class Source {

    private final Publisher publisher;
    private final SourceKind kind;
    private final String mid;
    private final String mediaKind;
    private final RelayCodec[] codecByPayloadType = new RelayCodec[128];
    /** RTX payload type to the publisher payload type it repairs, -1 for none (RFC 4588 apt). */
    private final int[] repairedByRtxPayloadType = new int[128];
    private final CopyOnWriteArrayList<ForwardedStream> sinks = new CopyOnWriteArrayList<>();
    private volatile Layer[] layers;
    private volatile PublishedTrack track;
    private volatile boolean muted;

    Source(Publisher publisher, PublishedTrack track) {
        this.publisher = publisher;
        this.kind = track.sourceKind();
        this.mid = track.mid();
        this.mediaKind = track.kind();
        update(track);
    }

    /** Applies a renegotiated offer of the same m-section. */
    void update(PublishedTrack track) {
        this.track = track;
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
        layers = SimulcastLayout.layers(track, layers);
    }

    /** The m-section this source was last negotiated with. */
    PublishedTrack track() {
        return track;
    }

    Publisher publisher() {
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
        return "video".equals(mediaKind);
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

    int layerCount() {
        return layers.length;
    }

    Layer layer(int index) {
        return layers[index];
    }

    /** The layer whose primary SSRC this is, -1 for none. */
    int layerOfSsrc(long ssrc) {
        Layer[] ls = layers;
        for (int i = 0; i < ls.length; i++) {
            if (ls[i].ssrc() == ssrc) {
                return i;
            }
        }
        return -1;
    }

    /** The layer the rid in the {@code n} bytes at {@code at} names, -1 for none. */
    int layerOfRid(byte[] b, int at, int n) {
        Layer[] ls = layers;
        for (int i = 0; i < ls.length; i++) {
            if (ls[i].hasRid(b, at, n)) {
                return i;
            }
        }
        return -1;
    }

    /** True when the layer's packets arrived within the last ~1 s. */
    boolean layerActive(int layer) {
        Layer[] ls = layers;
        return layer >= 0 && layer < ls.length && ls[layer].active(System.nanoTime());
    }

    /** The layer's bitrate over the last ~1 s in bits/s, 0 when it is not arriving. */
    long layerBitrateBps(int layer) {
        Layer[] ls = layers;
        return layer >= 0 && layer < ls.length ? ls[layer].bitrateBps(System.nanoTime()) : 0;
    }

    /** The highest layer of which no packet has arrived yet, -1 when every one has. */
    int highestLayerNeverArrived() {
        Layer[] ls = layers;
        for (int i = ls.length - 1; i >= 0; i--) {
            if (!ls[i].everArrived()) {
                return i;
            }
        }
        return -1;
    }

    /** The layer's picture height from its last keyframe (VP8/H264 headers), 0 when unknown. */
    int layerHeight(int layer) {
        Layer[] ls = layers;
        return layer >= 0 && layer < ls.length ? ls[layer].height() : 0;
    }

    /**
     * The highest temporal layer of simulcast layer {@code layer} within {@code maxFrameRate}
     * frames per second; {@code TemporalLayerFilter.ALL} without a limit or temporal layers.
     */
    int temporalLayerFor(int layer, int maxFrameRate, long now) {
        Layer[] ls = layers;
        return layer >= 0 && layer < ls.length ? ls[layer].temporal().layerFor(maxFrameRate, now)
                : TemporalLayerFilter.ALL;
    }

    /** Frames per second of the layer's temporal layers 0..t together; 0 when not measured. */
    double temporalFrameRate(int layer, int t, long now) {
        Layer[] ls = layers;
        return layer >= 0 && layer < ls.length ? ls[layer].temporal().frameRate(t, now) : 0;
    }

    /** The share (0..1) of the layer's bitrate its temporal layers 0..t carry; 1 when unknown. */
    double temporalBitrateShare(int layer, int t, long now) {
        Layer[] ls = layers;
        return layer >= 0 && layer < ls.length ? ls[layer].temporal().bitrateShare(t, now) : 1;
    }

    /**
     * The layer a receiver aiming at {@code target} should get now: the highest active layer not
     * above it; when none below is arriving, the lowest active one above; -1 when nothing
     * arrives. Packet path: no allocation.
     */
    int selectLayer(int target, long now) {
        Layer[] ls = layers;
        int top = Math.min(target, ls.length - 1);
        for (int i = top; i >= 0; i--) {
            if (ls[i].active(now)) {
                return i;
            }
        }
        for (int i = top + 1; i < ls.length; i++) {
            if (ls[i].active(now)) {
                return i;
            }
        }
        return -1;
    }

    /**
     * Records one packet of a layer as it arrives (the receive thread that feeds this source):
     * the layer's activity and bitrate, the meters, the retransmission cache and the picture
     * height of a keyframe (video). Returns whether the packet starts a keyframe.
     */
    boolean arrived(int layerIndex, byte[] b, int off, int len, long now, PictureHeight heights,
            RelayMetrics metrics) {
        Layer layer = layers[layerIndex];
        layer.onPacket(len, now);
        if (!isVideo()) {
            metrics.audioPacketsIn.increment();
            metrics.audioBytesIn.increment(len);
            return false;
        }
        metrics.videoPacketsIn.increment();
        metrics.videoBytesIn.increment(len);
        layer.cache().store(b, off, len, now);
        RelayCodec codec = codec(RtpPacket.payloadType(b, off));
        int header = RtpPacket.headerLength(b, off, len);
        int payloadLen = RtpPacket.payloadLength(b, off, len);
        boolean keyframe = codec != null && KeyframeDetector.isKeyframeStart(codec, b, off + header, payloadLen);
        if (codec == RelayCodec.VP8 && payloadLen > 0) {
            layer.temporal().onPacket(Vp8Descriptor.temporalLayer(b, off + header, payloadLen),
                    Vp8Descriptor.startsFrame(b, off + header), len, now);
        }
        if (keyframe) {
            layer.setHeight(heights.of(codec, b, off + header, payloadLen));
        }
        return keyframe;
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
        // A receiver still connecting asks when its DTLS is up (SubscriberSide.onConnected): a
        // keyframe now is mostly lost on it, and Chromium ignores a second request within 300 ms
        // of the first (webrtc EncoderRtcpFeedback), which cost a joining receiver ~400 ms.
        if (sink.receiverConnected()) {
            requestKeyframe(true);
        }
    }

    void detach(ForwardedStream sink) {
        sinks.remove(sink);
    }

    /** Asks for a keyframe of every layer (a receiver joined, or the source was unmuted). */
    void requestKeyframe(boolean force) {
        for (int i = 0; i < layers.length; i++) {
            requestKeyframe(i, force);
        }
    }

    /**
     * Asks the publisher for a keyframe of one layer (PLI on that layer's SSRC, RFC 4585 section
     * 6.3.1), throttled so that many receivers asking at once cost the publisher one keyframe. A
     * request inside the throttle window is not lost: one PLI goes out when the window ends.
     */
    void requestKeyframe(int layer, boolean force) {
        Layer[] ls = layers;
        if (!isVideo() || layer < 0 || layer >= ls.length || ls[layer].ssrc() < 0) {
            return;
        }
        Layer l = ls[layer];
        long now = System.nanoTime();
        long last = l.lastPliNanos.get();
        long wait = last + Layer.PLI_INTERVAL_NANOS - now;
        if (!force && wait > 0) {
            if (l.pliScheduled.compareAndSet(false, true)) {
                publisher.schedule(() -> {
                    l.pliScheduled.set(false);
                    requestKeyframe(layer, false);
                }, wait);
            }
            return;
        }
        if (l.lastPliNanos.compareAndSet(last, now)) {
            publisher.sendPli(l.ssrc());
        }
    }
}
