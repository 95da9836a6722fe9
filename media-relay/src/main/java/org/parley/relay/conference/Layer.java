package org.parley.relay.conference;

import java.nio.charset.StandardCharsets;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.parley.relay.rtp.RetransmissionCache;

/**
 * One simulcast layer (RFC 8853 "simulcast stream") of a source as the relay receives it: its
 * SSRC, the recent packets for answering NACKs, and what the allocator and stats read about it
 * (arriving or not, bitrate, picture height). A source without simulcast has one such layer.
 * Written only by the publisher's receive thread; read from anywhere.
 */
final class Layer {

    /** A layer is active while its packets arrived within this window (spec: ~1 s). */
    static final long ACTIVE_WINDOW_NANOS = 1_000_000_000L;
    /** Keyframe requests per layer at most this often (RFC 4585 section 3.4 spirit). */
    static final long PLI_INTERVAL_NANOS = 300_000_000L;

    private final int index;
    /** The rid (RFC 8851) naming the layer in rtp-stream-id extensions, null when SSRC-signalled. */
    private final byte[] rid;
    private final RetransmissionCache cache;
    final AtomicLong lastPliNanos = new AtomicLong(System.nanoTime() - PLI_INTERVAL_NANOS);
    final AtomicBoolean pliScheduled = new AtomicBoolean();
    private volatile long ssrc = -1;
    private volatile long lastPacketNanos;
    private volatile boolean arrived;
    private long windowStartNanos;
    private long windowBytes;
    private volatile long bitrateBps;
    private volatile int height;
    private final TemporalRates temporal = new TemporalRates();

    Layer(int index, String rid, boolean video) {
        this.index = index;
        this.rid = rid == null ? null : rid.getBytes(StandardCharsets.US_ASCII);
        this.cache = video ? new RetransmissionCache(1024, 2_000_000_000L) : null;
    }

    /** True once a packet of this layer has arrived (it may have stopped since). */
    boolean everArrived() {
        return arrived;
    }

    int index() {
        return index;
    }

    String rid() {
        return rid == null ? null : new String(rid, StandardCharsets.US_ASCII);
    }

    /** True when the layer is named by a rid (RFC 8851), false when SSRC-signalled. */
    boolean ridSignalled() {
        return rid != null;
    }

    /** True when the {@code n} bytes at {@code at} spell this layer's rid (no allocation). */
    boolean hasRid(byte[] b, int at, int n) {
        if (rid == null || rid.length != n) {
            return false;
        }
        for (int i = 0; i < n; i++) {
            if (b[at + i] != rid[i]) {
                return false;
            }
        }
        return true;
    }

    long ssrc() {
        return ssrc;
    }

    void setSsrc(long ssrc) {
        this.ssrc = ssrc;
    }

    /** Frame rate and bitrate per temporal layer (VP8 TIDs). */
    TemporalRates temporal() {
        return temporal;
    }

    RetransmissionCache cache() {
        return cache;
    }

    /** Counts a packet of the layer (receive thread). Bitrate is measured over ~1 s windows. */
    void onPacket(int len, long now) {
        if (!arrived || now - windowStartNanos > 2 * ACTIVE_WINDOW_NANOS) {
            // first packet, or back after a pause: a fresh window
            windowStartNanos = now;
            windowBytes = 0;
            bitrateBps = 0;
            arrived = true;
        }
        lastPacketNanos = now;
        windowBytes += len;
        long span = now - windowStartNanos;
        if (span >= ACTIVE_WINDOW_NANOS) {
            bitrateBps = windowBytes * 8 * 1_000_000_000L / span;
            windowStartNanos = now;
            windowBytes = 0;
        }
    }

    boolean active(long now) {
        return arrived && now - lastPacketNanos < ACTIVE_WINDOW_NANOS;
    }

    long bitrateBps(long now) {
        return active(now) ? bitrateBps : 0;
    }

    int height() {
        return height;
    }

    void setHeight(int height) {
        if (height > 0) {
            this.height = height;
        }
    }
}
