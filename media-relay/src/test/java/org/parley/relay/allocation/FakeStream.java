package org.parley.relay.allocation;

import java.util.ArrayList;
import java.util.List;
import org.parley.relay.control.SourceKind;

/** A stream with set layer bitrates and heights that records the layers it was told to forward. */
final class FakeStream implements AllocatableStream {

    private final String publisher;
    private final SourceKind kind;
    final long[] bitrates;
    final int[] heights;
    final List<Integer> switches = new ArrayList<>();
    private int target;

    FakeStream(String publisher, SourceKind kind, long[] bitrates, int[] heights) {
        this.publisher = publisher;
        this.kind = kind;
        this.bitrates = bitrates;
        this.heights = heights;
        this.target = bitrates.length - 1;
    }

    static FakeStream audio(String publisher) {
        return new FakeStream(publisher, SourceKind.AUDIO, new long[] {30_000}, new int[] {0});
    }

    /** A camera publishing 180p, 360p and 720p simulcast at 150, 500 and 1500 kbit/s. */
    static FakeStream camera(String publisher) {
        return new FakeStream(publisher, SourceKind.VIDEO, new long[] {150_000, 500_000, 1_500_000},
                new int[] {180, 360, 720});
    }

    static FakeStream screen(String publisher) {
        return new FakeStream(publisher, SourceKind.SCREEN, new long[] {500_000}, new int[] {1080});
    }

    @Override
    public String publisherId() {
        return publisher;
    }

    @Override
    public SourceKind kind() {
        return kind;
    }

    @Override
    public int layerCount() {
        return bitrates.length;
    }

    @Override
    public long layerBitrateBps(int layer) {
        return bitrates[layer];
    }

    @Override
    public int layerHeight(int layer) {
        return heights[layer];
    }

    @Override
    public int targetLayer() {
        return target;
    }

    @Override
    public void setTargetLayer(int layer) {
        target = layer;
        switches.add(layer);
    }

    @Override
    public String toString() {
        return publisher + "/" + kind;
    }
}
