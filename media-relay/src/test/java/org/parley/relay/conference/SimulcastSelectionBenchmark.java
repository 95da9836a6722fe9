package org.parley.relay.conference;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;
import org.parley.relay.RelayMetrics;
import org.parley.relay.control.SourceKind;
import org.parley.relay.rtp.KeyframeDetector;
import org.parley.relay.rtp.RtpPacket;
import org.parley.relay.rtp.StreamRewriter;
import org.parley.relay.rtp.TemporalLayerFilter;
import org.parley.relay.rtp.Vp8Descriptor;
import org.parley.relay.sdp.PublishedTrack;
import org.parley.relay.sdp.RelayCodec;

/**
 * What simulcast adds to the relay's per-packet work, next to ForwardingBenchmark (bench
 * package; this one sits in the conference package to reach its package-private classes): per
 * incoming packet of a 3-layer VP8 source, the layer's bookkeeping (bitrate, activity), keyframe
 * detection, one receiver's layer decision, and for the packets of its layer the copy and
 * SSRC/sequence/timestamp rewrite. The receiver's target moves between layer 0 and 2 every 3000
 * packets and every layer has a keyframe every 90 packets, so switches are part of the mix.
 * {@code singleLayer} is the same without simulcast (every packet rewritten), the baseline.
 * {@code temporalHalfRate}: one layer sent as L1T3 (TIDs 0,2,1,2, three packets per frame) to a
 * receiver whose maxFrameRate keeps TL0+TL1: the temporal-layer measurement, the filter's verdict,
 * the sequence close-up for dropped packets, and copy, rewrite and PictureID rewrite for the rest.
 * Run as ForwardingBenchmark: {@code org.openjdk.jmh.Main SimulcastSelectionBenchmark}.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(1)
public class SimulcastSelectionBenchmark {

    private static final int LAYERS = 3;
    private final byte[][][] packets = new byte[LAYERS][2][];
    private final byte[] out = new byte[1500];
    private Source source;
    private LayerSelection selection;
    private StreamRewriter rewriter;
    private int n;
    private long now;
    /** L1T3 packets: [TID pattern position][packet of the frame]. */
    private final byte[][][] temporalPackets = new byte[4][3][];
    private final TemporalLayerFilter filter = new TemporalLayerFilter();
    private final TemporalRates rates = new TemporalRates();
    private StreamRewriter temporalRewriter;

    @Setup
    public void setUp() {
        PublishedTrack track = new PublishedTrack("1", SourceKind.VIDEO, "video", Map.of(96, RelayCodec.VP8), Map.of(),
                List.of(), Map.of(), List.of("q", "h", "f"));
        source = new Source(null, track);
        RelayMetrics metrics = new RelayMetrics(new SimpleMeterRegistry(), () -> 0, () -> 0);
        selection = new LayerSelection(source, metrics);
        rewriter = new StreamRewriter(0xCAFEBABEL, 90000);
        for (int layer = 0; layer < LAYERS; layer++) {
            for (int key = 0; key < 2; key++) {
                byte[] b = new byte[12 + 1 + 10 + 1000];
                b[0] = (byte) 0x80;
                b[1] = 96;
                RtpPacket.setSsrc(b, 0, 1000 + layer);
                b[12] = 0x10;
                b[13] = (byte) (key == 1 ? 0x00 : 0x01);
                b[16] = (byte) 0x9d;
                b[17] = 0x01;
                b[18] = 0x2a;
                packets[layer][key] = b;
            }
        }
        int[] pattern = {0, 2, 1, 2};
        for (int f = 0; f < 4; f++) {
            for (int k = 0; k < 3; k++) {
                byte[] b = new byte[12 + 6 + 1000];
                b[0] = (byte) 0x80;
                b[1] = 96;
                RtpPacket.setSsrc(b, 0, 2000);
                b[12] = (byte) (0x80 | (k == 0 ? 0x10 : 0));
                b[13] = (byte) 0xE0;
                b[14] = (byte) 0x80;
                b[17] = (byte) ((pattern[f] << 6) | (f == 1 || f == 2 ? 0x20 : 0));
                b[18] = 0x01;
                temporalPackets[f][k] = b;
            }
        }
        filter.setTarget(1);
        temporalRewriter = new StreamRewriter(0xCAFEBABEL, 90000);
        now = System.nanoTime();
    }

    @Benchmark
    public int temporalHalfRate() {
        int i = n++;
        int frame = i / 3;
        byte[] b = temporalPackets[frame % 4][i % 3];
        RtpPacket.setSequence(b, 0, i);
        RtpPacket.setTimestamp(b, 0, frame * 3000L);
        b[14] = (byte) (0x80 | ((frame >> 8) & 0x7f));
        b[15] = (byte) frame;
        now += 11_000_000L;
        rates.onPacket(Vp8Descriptor.temporalLayer(b, 12, b.length - 12), Vp8Descriptor.startsFrame(b, 12), b.length,
                now);
        if (!filter.admit(b, 12, b.length - 12, false)) {
            return temporalRewriter.skip(b, 0);
        }
        System.arraycopy(b, 0, out, 0, b.length);
        temporalRewriter.rewrite(out, 0, now);
        filter.rewrite(out, 12, b.length - 12, RtpPacket.sequence(out, 0));
        return out[3];
    }

    @Benchmark
    public int simulcastThreeLayersOneReceiver() {
        int i = n++;
        int layer = i % LAYERS;
        int frame = i / LAYERS;
        if (frame % 1000 == 0 && layer == 0) {
            selection.setTarget((frame / 1000) % 2 == 0 ? 2 : 0);
        }
        byte[] b = packets[layer][frame % 30 == 0 ? 1 : 0];
        RtpPacket.setSequence(b, 0, frame);
        RtpPacket.setTimestamp(b, 0, frame * 3000L);
        now += 11_000_000L;
        Layer l = source.layer(layer);
        l.onPacket(b.length, now);
        boolean key = KeyframeDetector.isKeyframeStart(RelayCodec.VP8, b, 12, b.length - 12);
        if (!selection.accepts(layer, key, now)) {
            return 0;
        }
        System.arraycopy(b, 0, out, 0, b.length);
        rewriter.rewrite(out, 0, now);
        return out[3];
    }

    @Benchmark
    public int singleLayer() {
        int frame = n++;
        byte[] b = packets[0][frame % 30 == 0 ? 1 : 0];
        RtpPacket.setSequence(b, 0, frame);
        RtpPacket.setTimestamp(b, 0, frame * 3000L);
        now += 33_000_000L;
        System.arraycopy(b, 0, out, 0, b.length);
        rewriter.rewrite(out, 0, now);
        return out[3];
    }
}
