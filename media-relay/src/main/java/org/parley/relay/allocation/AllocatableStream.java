package org.parley.relay.allocation;

import org.parley.relay.control.SourceKind;

/**
 * One stream a receiver gets, as the allocator sees it: whose source it is, its layers (index 0
 * the lowest, the last the highest; one layer for audio and non-simulcast video) and the layer to
 * forward. Implementations must have value equality per stream: the allocator keeps state per
 * stream across runs.
 */
public interface AllocatableStream {

    /** The publishing endpoint. */
    String publisherId();

    SourceKind kind();

    /** Layers the source has (1 without simulcast). */
    int layerCount();

    /** What the layer costs now in bits/s, measured over about the last second; 0 when not arriving. */
    long layerBitrateBps(int layer);

    /** The layer's picture height in pixels from its last keyframe; 0 when unknown. */
    int layerHeight(int layer);

    /** The layer the stream forwards; -1 paused. */
    int targetLayer();

    /** Forward this layer from its next keyframe on; -1 pauses (nothing is sent, no renegotiation). */
    void setTargetLayer(int layer);
}
