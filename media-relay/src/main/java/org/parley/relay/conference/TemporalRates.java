package org.parley.relay.conference;

import org.parley.relay.rtp.TemporalLayerFilter;

/**
 * The frame rate and bitrate of each temporal layer of one simulcast layer, measured over ~1 s
 * windows from the TIDs of the packets (RFC 7741 §4.2), so the allocator can tell which temporal
 * layers a receiver's maxFrameRate needs and what dropping the rest saves. Counted by the
 * publisher's receive thread; the results are published through a volatile write, read anywhere.
 */
final class TemporalRates {

    private static final int LAYERS = TemporalLayerFilter.ALL + 1;
    /** A measurement older than this is no measurement: the layer stopped or lost its TIDs. */
    private static final long STALE_NANOS = 3_000_000_000L;

    private final int[] frames = new int[LAYERS];
    private final long[] bytes = new long[LAYERS];
    private long windowStartNanos;
    private boolean started;
    /** Frames per second of layers 0..t together, ×100; published with {@link #measuredAt}. */
    private final int[] centiFps = new int[LAYERS];
    /** Share of the bytes in layers 0..t together, in 1/1000. */
    private final int[] permille = new int[LAYERS];
    private volatile long measuredAt;
    private volatile boolean measured;

    /**
     * Counts one packet (receive thread).
     *
     * @param tid its temporal layer, -1 when it has none
     * @param frameStart it starts a frame
     */
    void onPacket(int tid, boolean frameStart, int len, long now) {
        if (tid < 0) {
            return;
        }
        if (!started) {
            started = true;
            windowStartNanos = now;
        }
        bytes[tid] += len;
        if (frameStart) {
            frames[tid]++;
        }
        long span = now - windowStartNanos;
        if (span >= Layer.ACTIVE_WINDOW_NANOS) {
            publish(span, now);
        }
    }

    private void publish(long span, long now) {
        long allBytes = 0;
        for (long b : bytes) {
            allBytes += b;
        }
        int f = 0;
        long cumulative = 0;
        for (int t = 0; t < LAYERS; t++) {
            f += frames[t];
            cumulative += bytes[t];
            centiFps[t] = (int) (f * 100L * 1_000_000_000L / span);
            permille[t] = allBytes == 0 ? 1000 : (int) (cumulative * 1000 / allBytes);
            frames[t] = 0;
            bytes[t] = 0;
        }
        windowStartNanos = now;
        measured = true;
        measuredAt = now; // volatile write last: publishes the arrays
    }

    private boolean fresh(long now) {
        return measured && now - measuredAt < STALE_NANOS;
    }

    /**
     * The highest temporal layer whose frame rate (with the layers below) stays within
     * {@code maxFrameRate}, allowing 10 % for measurement noise (a 30 fps source measures 29-31);
     * at least TL0. {@link TemporalLayerFilter#ALL} when there is no limit, no measurement, or
     * every layer fits.
     */
    int layerFor(int maxFrameRate, long now) {
        if (maxFrameRate <= 0 || !fresh(now)) {
            return TemporalLayerFilter.ALL;
        }
        long limit = maxFrameRate * 110L;
        int best = 0;
        for (int t = 1; t < LAYERS; t++) {
            if (centiFps[t] <= limit) {
                best = t;
            }
        }
        return best == LAYERS - 1 ? TemporalLayerFilter.ALL : best;
    }

    /** Frames per second of temporal layers 0..t together; 0 when not measured. */
    double frameRate(int t, long now) {
        return fresh(now) ? centiFps[Math.min(t, LAYERS - 1)] / 100.0 : 0;
    }

    /** The share (0..1) of the bitrate temporal layers 0..t carry; 1 when not measured. */
    double bitrateShare(int t, long now) {
        return fresh(now) ? permille[Math.min(t, LAYERS - 1)] / 1000.0 : 1;
    }
}
