package org.parley.relay.bench;

import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.parley.relay.RelayMetrics;
import org.parley.relay.rtp.RtpPacket;
import org.parley.relay.rtp.StreamRewriter;
import org.parley.relay.transport.PacketBuffer;
import org.parley.relay.transport.SendKind;
import org.parley.relay.transport.SendQueue;
import org.parley.relay.transport.SrtpProfile;
import org.parley.relay.transport.SrtpTransformer;

/**
 * The relay's per-packet work for one forwarded packet and one receiver: SRTP unprotect of the
 * publisher's packet, copy, SSRC/sequence/timestamp rewrite, payload-type and extension-id
 * rewrite, SRTP protect for the receiver; and the same handed to a receiver's send queue, written
 * at once (the UDP path) or queued and drained (the ICE-TCP path, with the drain task run on the
 * calling thread, so this counts the copy and bookkeeping, not the thread hand-off). Run (see docs/benchmarks.md, "Relay benchmarks"):
 * {@code java -cp <test classpath> org.openjdk.jmh.Main ForwardingBenchmark}
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(1)
public class ForwardingBenchmark {

    @Param({"AEAD_AES_128_GCM", "AES_CM_128_HMAC_SHA1_80"})
    public String profile;

    @Param({"200", "1200"})
    public int payloadSize;

    private SrtpTransformer relayFromPublisher;
    private SrtpTransformer relayToReceiver;
    private byte[] protectedPacket;
    private int protectedLength;
    private final PacketBuffer in = PacketBuffer.allocate();
    private final PacketBuffer out = PacketBuffer.allocate();
    private final byte[] extensionMap = new byte[16];
    private StreamRewriter rewriter;
    private long now;
    /** The wire is a no-op: the socket's cost is not the question here. */
    private final SendQueue queue = new SendQueue(512, (b, o, l) -> true, Runnable::run,
            new RelayMetrics(new SimpleMeterRegistry(), () -> 0, () -> 0));

    @Setup
    public void setUp() {
        SrtpProfile p = SrtpProfile.valueOf(profile);
        byte[] keys = new byte[2 * (p.keyLength() + p.saltLength())];
        new java.util.Random(1).nextBytes(keys);
        SrtpTransformer publisher = new SrtpTransformer(p, keys, false);
        // The benchmark replays one packet, so the relay side skips the replay window.
        relayFromPublisher = new SrtpTransformer(p, keys, true, false);
        byte[] otherKeys = keys.clone();
        otherKeys[0] ^= 1;
        relayToReceiver = new SrtpTransformer(p, otherKeys, true, false);

        byte[] b = in.getBuffer();
        b[0] = (byte) 0x90;
        b[1] = 96;
        RtpPacket.setSequence(b, 0, 1);
        RtpPacket.setTimestamp(b, 0, 3000);
        RtpPacket.setSsrc(b, 0, 0x12345678L);
        RtpPacket.putShort(b, 12, RtpPacket.ONE_BYTE_PROFILE);
        RtpPacket.putShort(b, 14, 2);
        b[16] = 0x31; // id 3 (transport-cc), 2 bytes
        b[19] = 0x20; // id 2 (abs-send-time), 3 bytes
        for (int i = 24; i < 24 + payloadSize; i++) {
            b[i] = (byte) i;
        }
        in.setLength(24 + payloadSize);
        publisher.protectRtp(in);
        protectedLength = in.getLength();
        protectedPacket = new byte[protectedLength];
        System.arraycopy(in.getBuffer(), 0, protectedPacket, 0, protectedLength);
        extensionMap[2] = 2;
        rewriter = new StreamRewriter(0xCAFEBABEL, 90000);
    }

    @Benchmark
    public int forwardOnePacketToOneReceiver() {
        return protectForReceiver().getLength();
    }

    @Benchmark
    public boolean forwardOnePacketWrittenAtOnce() {
        PacketBuffer p = protectForReceiver();
        return queue.send(p.getBuffer(), p.getOffset(), p.getLength(), SendKind.VIDEO, true);
    }

    @Benchmark
    public boolean forwardOnePacketThroughTheSendQueue() {
        PacketBuffer p = protectForReceiver();
        return queue.send(p.getBuffer(), p.getOffset(), p.getLength(), SendKind.VIDEO, false);
    }

    private PacketBuffer protectForReceiver() {
        byte[] b = in.getBuffer();
        System.arraycopy(protectedPacket, 0, b, 0, protectedLength);
        in.setOffset(0);
        in.setLength(protectedLength);
        if (relayFromPublisher.unprotectRtp(in) != SrtpTransformer.Result.OK) {
            throw new IllegalStateException("unprotect failed");
        }
        int len = in.getLength();
        byte[] o = out.getBuffer();
        System.arraycopy(b, 0, o, 0, len);
        rewriter.rewrite(o, 0, now += 33_000_000L);
        RtpPacket.setPayloadType(o, 0, 96);
        RtpPacket.mapExtensionIds(o, 0, len, extensionMap);
        out.setOffset(0);
        out.setLength(len);
        relayToReceiver.protectRtp(out);
        return out;
    }
}
