package org.parley.loadtest.scenario;

import java.io.IOException;
import java.net.InetAddress;
import java.time.Duration;
import java.util.Map;
import org.parley.loadtest.Options;

/**
 * What a simulated sender sends, from the command line: audio every 20 ms at
 * {@code --audio-bitrate}, camera video at {@code --video-bitrate} and {@code --fps}, a keyframe
 * every {@code --keyframe-interval} (and on PLI), ICE candidates on {@code --media-address}. A
 * bitrate of 0 turns a kind off.
 */
final class MediaOptions {

    /** Largest video payload per RTP packet: the relay's client sends one packet per frame. */
    static final int MAX_VIDEO_PAYLOAD = 1100;
    /**
     * Browsers' encoders send a keyframe only when asked; SFU-oriented senders and load tools
     * (LiveKit's, Jitsi's Malleus) send one every few seconds so late joiners and lossy receivers
     * recover without a PLI round trip. 3 s sits in that range.
     */
    static final Duration DEFAULT_KEYFRAME_INTERVAL = Duration.ofSeconds(3);

    final long audioBitrate;
    final long videoBitrate;
    final int fps;
    /** Zero: keyframes only on PLI (and the first frame). */
    final Duration keyframeInterval;
    final InetAddress address;
    /**
     * {@code --receiver-bandwidth} in bit/s, 0 (the default) for none: every member's receive side
     * sits behind a token bucket of this rate, dropping what exceeds it as a thin downlink would,
     * while it sends the relay transport-wide feedback as a browser does.
     */
    final long receiverBandwidthBps;
    /**
     * {@code --simulcast}: the camera goes out as three layers as Chromium sends it (RFC 8853,
     * rids q, h, f): {@link #SIMULCAST_SHARE} of the video bitrate each, the top one at the full
     * rate, and every receiver records the layer it got (the relay forwards one per receiver).
     */
    final boolean simulcast;
    /**
     * Each layer's share of {@code --video-bitrate}, lowest first: roughly libwebrtc's defaults
     * for a 720p camera (150k, 500k, 1.5M: docs/relay.md's worked example).
     */
    static final double[] SIMULCAST_SHARE = {0.1, 1.0 / 3, 1.0};

    MediaOptions(Options o) {
        this(o, true);
    }

    /** @param video false for audio only: the video options are then not read (so not accepted) */
    MediaOptions(Options o, boolean video) {
        this.audioBitrate = bitrateOrOff(o, "audio-bitrate", 32_000);
        this.videoBitrate = video ? bitrateOrOff(o, "video-bitrate", 300_000) : 0;
        this.fps = video ? o.integer("fps", 30, 1, 120) : 30;
        this.keyframeInterval = video ? o.duration("keyframe-interval", DEFAULT_KEYFRAME_INTERVAL) : Duration.ZERO;
        if (!keyframeInterval.isZero() && keyframeInterval.toMillis() < 100) {
            throw new IllegalArgumentException("--keyframe-interval: at least 100ms, or 0 for keyframes on PLI only");
        }
        this.receiverBandwidthBps = o.integer("receiver-bandwidth", 0, 0, 1_000_000) * 1000L;
        this.simulcast = video && o.flag("simulcast");
        if (simulcast && videoBitrate == 0) {
            throw new IllegalArgumentException("--simulcast: needs camera video (--video-bitrate is 0)");
        }
        String a = o.string("media-address", "127.0.0.1");
        try {
            this.address = InetAddress.getByName(a);
        } catch (IOException e) {
            throw new IllegalArgumentException("--media-address: not an address: " + a);
        }
    }

    /** A bitrate option that also takes {@code 0} for "off". */
    static long bitrateOrOff(Options o, String name, long fallback) {
        return o.has(name) && o.string(name, "").equals("0") ? 0 : o.bitrate(name, fallback);
    }

    /** Audio payload bytes per 20 ms packet. */
    int audioBytes() {
        return (int) (audioBitrate / 8 / 50);
    }

    /** Camera packets per second and payload bytes that give the video bitrate. */
    int[] videoShape() {
        return shape(videoBitrate, fps);
    }

    /**
     * Packets per second and bytes per packet for a bitrate at a frame rate: one packet per frame
     * while a frame fits {@link #MAX_VIDEO_PAYLOAD}, more packets per second above that.
     */
    static int[] shape(long bitrate, int fps) {
        if (bitrate == 0) {
            return new int[] {0, 0};
        }
        long bytesPerSecond = bitrate / 8;
        int pps = fps;
        if (bytesPerSecond / pps > MAX_VIDEO_PAYLOAD) {
            pps = (int) Math.ceil(bytesPerSecond / (double) MAX_VIDEO_PAYLOAD);
        }
        return new int[] {pps, (int) (bytesPerSecond / pps)};
    }

    /** Packets per second and bytes per packet of each simulcast layer, lowest first. */
    int[][] simulcastShapes() {
        int[][] out = new int[SIMULCAST_SHARE.length][];
        for (int i = 0; i < out.length; i++) {
            out[i] = shape((long) (videoBitrate * SIMULCAST_SHARE[i]), fps);
        }
        return out;
    }

    /** Media kinds a sender publishes besides a screen share. */
    int cameraAndMicKinds() {
        return (audioBitrate > 0 ? 1 : 0) + (videoBitrate > 0 ? 1 : 0);
    }

    void describe(Map<String, Object> s) {
        s.put("audio", audioBitrate == 0 ? "off" : audioBitrate + " bit/s, 50 packets/s of " + audioBytes() + " bytes");
        int[] v = videoShape();
        s.put("video", videoBitrate == 0 ? "off" : videoBitrate + " bit/s, " + v[0] + " packets/s of " + v[1] + " bytes");
        if (simulcast) {
            StringBuilder layers = new StringBuilder();
            int[][] shapes = simulcastShapes();
            for (int i = 0; i < shapes.length; i++) {
                layers.append(i == 0 ? "" : ", ").append(i).append(": ").append((long) (videoBitrate * SIMULCAST_SHARE[i]))
                        .append(" bit/s (").append(shapes[i][0]).append(" packets/s)");
            }
            s.put("simulcast layers", layers.toString());
        }
        if (receiverBandwidthBps > 0) {
            s.put("receiver bandwidth", receiverBandwidthBps + " bit/s");
        }
        s.put("keyframe-interval", keyframeInterval.isZero() ? "on PLI only" : keyframeInterval.toMillis() + " ms and on PLI");
        s.put("media-address", address.getHostAddress());
    }
}
