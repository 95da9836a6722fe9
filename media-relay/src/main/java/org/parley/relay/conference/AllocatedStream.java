package org.parley.relay.conference;

import org.parley.relay.allocation.AllocatableStream;
import org.parley.relay.control.SourceKind;

/** A forwarded stream as the allocator sees it; equal per stream, as the allocator needs. */
record AllocatedStream(ForwardedStream stream) implements AllocatableStream {

    /** The layers a source has (1 without simulcast). */
    static int layers(Source source) {
        return source.layerCount();
    }

    @Override
    public String publisherId() {
        return stream.source().publisher().id();
    }

    @Override
    public SourceKind kind() {
        return stream.source().kind();
    }

    @Override
    public int layerCount() {
        return layers(stream.source());
    }

    @Override
    public long layerBitrateBps(int layer) {
        return stream.layerCostBps(layer);
    }

    @Override
    public int layerHeight(int layer) {
        return stream.source().layerHeight(layer);
    }

    @Override
    public int targetLayer() {
        return stream.targetLayer();
    }

    @Override
    public void setTargetLayer(int layer) {
        stream.setTargetLayer(layer);
    }
}
