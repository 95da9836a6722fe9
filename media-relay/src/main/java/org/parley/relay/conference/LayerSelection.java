package org.parley.relay.conference;

import org.parley.relay.RelayMetrics;
import org.parley.relay.RelayMetrics.Drop;

/**
 * Which layer of a source one receiver gets, packet by packet: the highest active layer not above
 * its target (see {@link Source#selectLayer}), switched to only where that layer starts a keyframe,
 * so the receiver's decoder never gets a frame referring to a picture it did not get. Until the
 * keyframe comes the receiver stays on the layer it has. The target is set from any thread; the
 * packet decisions run on the publisher's receive thread: no allocation, no lock.
 */
final class LayerSelection {

    /** Until an allocator sets one: the highest layer, i.e. the highest active one. */
    private static final int HIGHEST = Integer.MAX_VALUE;

    private final Source source;
    private final RelayMetrics metrics;
    /** The layer asked for: -1 paused, {@link #HIGHEST} by default. */
    private volatile int requested = HIGHEST;
    /** The layer being forwarded; -1 before the first keyframe and while paused. */
    private volatile int current = -1;
    private volatile boolean needKeyframe = true;

    LayerSelection(Source source, RelayMetrics metrics) {
        this.source = source;
        this.metrics = metrics;
    }

    /** The next packet forwarded must start a keyframe (the receiver joined or lost its picture). */
    void requireKeyframe() {
        needKeyframe = true;
    }

    void setTarget(int layer) {
        if (layer < -1) {
            throw new IllegalArgumentException("target layer must be -1 (paused) or a layer index, got " + layer);
        }
        int was = requested;
        requested = layer;
        if (layer < 0) {
            current = -1;
            needKeyframe = true;
            return;
        }
        int want = source.selectLayer(layer, System.nanoTime());
        if (was != layer && want >= 0 && (want != current || needKeyframe)) {
            source.requestKeyframe(want, false);
        }
    }

    /** The target layer: -1 when paused, else at most the source's highest layer. */
    int target() {
        int r = requested;
        return r < 0 ? -1 : Math.min(r, source.layerCount() - 1);
    }

    /** The layer forwarded now; -1 when none (paused, not started, not arriving). */
    int current() {
        int c = current;
        return c >= 0 && source.layerActive(c) ? c : -1;
    }

    /** The layer a keyframe request of the receiver is for: the one it gets or is about to get. */
    int layerToRefresh() {
        int r = requested;
        if (r < 0) {
            return -1;
        }
        int want = source.selectLayer(r, System.nanoTime());
        return want >= 0 ? want : Math.max(0, current);
    }

    /** Whether a packet of {@code layer} goes to the receiver; {@code keyframe}: it starts one. */
    boolean accepts(int layer, boolean keyframe, long now) {
        int r = requested;
        if (r < 0) {
            current = -1;
            return false;
        }
        int want = source.selectLayer(r, now);
        if (layer == want && (layer != current || needKeyframe)) {
            if (!keyframe) {
                metrics.drop(Drop.WAITING_FOR_KEYFRAME);
                source.requestKeyframe(layer, false);
                return false;
            }
            current = layer;
            needKeyframe = false;
            return true;
        }
        return layer == current && !needKeyframe;
    }
}
