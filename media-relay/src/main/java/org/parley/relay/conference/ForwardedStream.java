package org.parley.relay.conference;

import java.util.concurrent.atomic.AtomicInteger;
import org.parley.relay.RelayMetrics;
import org.parley.relay.RelayMetrics.Drop;
import org.parley.relay.control.ConferenceStats.ForwardedStreamStats;
import org.parley.relay.rtp.RtcpPacket;
import org.parley.relay.rtp.RtpPacket;
import org.parley.relay.rtp.StreamRewriter;
import org.parley.relay.rtp.TemporalLayerFilter;
import org.parley.relay.rtp.Vp8Continuity;
import org.parley.relay.sdp.RelayCodec;
import org.parley.relay.transport.PacketBuffer;
import org.parley.relay.transport.SendKind;

/**
 * One source as one receiver gets it, in one m-section of the receiver's subscriber connection:
 * the receiver's own SSRC, sequence numbers and timestamps (via {@link StreamRewriter}), the
 * receiver's payload types and extension ids, retransmissions for its NACKs.
 *
 * <p>Of a simulcast source it forwards one layer, chosen packet by packet by its {@link LayerSelection};
 * of a VP8 layer, the temporal layers the receiver's maxFrameRate needs ({@link TemporalLayerFilter}).
 */
final class ForwardedStream {

    private final SubscriberSide receiver;
    private final Source source;
    private final String mid;
    private final StreamRewriter rewriter;
    private final long rtxSsrc;
    private final RelayMetrics metrics;
    private final AtomicInteger rtxSequence = new AtomicInteger(
            java.util.concurrent.ThreadLocalRandom.current().nextInt(0x8000));
    private final LayerSelection selection;
    private final TemporalLayerFilter temporal = new TemporalLayerFilter();
    /** PictureID and TL0PICIDX continued across simulcast switches (VP8). */
    private final Vp8Continuity continuity = new Vp8Continuity();
    /** The receiver's maxFrameRate for this source, 0 none (docs/relay.md, "Frame rate"). */
    private volatile int maxFrameRate;
    private final Object rtxLock = new Object();
    private final PacketBuffer padScratch = PacketBuffer.allocate();
    /** The codec last forwarded: what probe padding goes out as (its RTX payload type). */
    private volatile RelayCodec lastCodec;
    private volatile long packetsSent;
    private volatile long bytesSent;

    ForwardedStream(SubscriberSide receiver, Source source, String mid, long outSsrc, long rtxSsrc,
            RelayMetrics metrics) {
        this.receiver = receiver;
        this.source = source;
        this.mid = mid;
        this.rewriter = new StreamRewriter(outSsrc, source.clockRate());
        this.rtxSsrc = rtxSsrc;
        this.metrics = metrics;
        this.selection = new LayerSelection(source, metrics);
    }

    Source source() {
        return source;
    }

    String mid() {
        return mid;
    }

    long outSsrc() {
        return rewriter.outSsrc();
    }

    long rtxSsrc() {
        return rtxSsrc;
    }

    long packetsSent() {
        return packetsSent;
    }

    long bytesSent() {
        return bytesSent;
    }

    /** True once the receiver's subscriber connection can carry media (DTLS done). */
    boolean receiverConnected() {
        return receiver.isConnected();
    }

    void requireKeyframe() {
        selection.requireKeyframe();
    }

    /**
     * Sets the layer this receiver should get: -1 pauses it (nothing is sent; its SSRC and
     * m-section stay, so resuming needs no renegotiation), otherwise it switches at that layer's
     * next keyframe, which is asked for now. A layer above the source's highest means the highest.
     */
    void setTargetLayer(int layer) {
        selection.setTarget(layer);
    }

    /** The receiver's frame rate limit for this source (0: none); applies from the next allocation. */
    void setMaxFrameRate(int fps) {
        maxFrameRate = fps;
    }

    /**
     * What forwarding simulcast layer {@code layer} costs this receiver in bits/s: the layer's
     * bitrate, less the temporal layers its maxFrameRate drops.
     */
    long layerCostBps(int layer) {
        long bps = source.layerBitrateBps(layer);
        int fps = maxFrameRate;
        if (fps <= 0 || bps <= 0) {
            return bps;
        }
        long now = System.nanoTime();
        return (long) (bps * source.temporalBitrateShare(layer, source.temporalLayerFor(layer, fps, now), now));
    }

    /** Points the temporal filter at what the receiver's maxFrameRate needs of the target layer (allocator thread). */
    void updateTemporalTarget() {
        int layer = source.isVideo() ? selection.target() : -1;
        temporal.setTarget(layer < 0 ? TemporalLayerFilter.ALL
                : source.temporalLayerFor(layer, maxFrameRate, System.nanoTime()));
    }

    /** The highest temporal layer forwarded ({@link TemporalLayerFilter#ALL}: every one). */
    int temporalTarget() {
        return temporal.target();
    }

    /** The target layer: -1 when paused, else at most the source's highest layer. */
    int targetLayer() {
        return source.isVideo() ? selection.target() : 0;
    }

    /** The layer actually being forwarded now; -1 when none (paused, not started, not arriving). */
    int currentLayer() {
        if (!source.isVideo()) {
            return source.layerActive(0) ? 0 : -1;
        }
        return selection.current();
    }

    ForwardedStreamStats stats() {
        int current = currentLayer();
        return new ForwardedStreamStats(source.publisher().id(), source.kind(), source.layerCount(), targetLayer(),
                current, source.layerBitrateBps(current), source.layerHeight(current), packetsSent, temporal.target(),
                source.temporalFrameRate(current, temporal.target(), System.nanoTime()));
    }

    /** A receiver asked for a keyframe (PLI/FIR): of the layer it gets, or is about to get. */
    void requestKeyframe() {
        int layer = selection.layerToRefresh();
        if (layer >= 0) {
            source.requestKeyframe(layer, false);
        }
    }

    /**
     * Forwards one plaintext packet of the source (publisher receive thread only) if it belongs
     * to the layer this receiver gets. The packet is copied into {@code scratch}, so the original
     * stays intact for the next receiver.
     *
     * @param layer the packet's simulcast layer (0 without simulcast)
     * @param keyframe whether the packet starts a keyframe (video)
     */
    void forward(byte[] b, int off, int len, PacketBuffer scratch, long now, int layer, boolean keyframe) {
        if (!receiver.isConnected()) {
            return;
        }
        RelayCodec codec = source.codec(RtpPacket.payloadType(b, off));
        if (codec == null || !receiver.accepts(codec.payloadType())) {
            metrics.drop(Drop.CODEC_NOT_ACCEPTED);
            return;
        }
        if (source.isVideo() && !selection.accepts(layer, keyframe, now)) {
            return;
        }
        int header = 0;
        int payloadLen = 0;
        if (codec == RelayCodec.VP8) {
            header = RtpPacket.headerLength(b, off, len);
            payloadLen = RtpPacket.payloadLength(b, off, len);
            if (!temporal.admit(b, off + header, payloadLen, keyframe)) {
                skip(b, off, header, codec, scratch, now);
                return;
            }
        }
        if (codec != lastCodec) {
            lastCodec = codec;
        }
        byte[] out = scratch.getBuffer();
        System.arraycopy(b, off, out, 0, len);
        if (!rewriter.rewrite(out, 0, now)) {
            return;
        }
        if (codec == RelayCodec.VP8) {
            temporal.rewrite(out, header, payloadLen, RtpPacket.sequence(out, 0));
            continuity.rewrite(out, header, payloadLen, layer, RtpPacket.sequence(out, 0));
        }
        RtpPacket.setPayloadType(out, 0, codec.payloadType());
        RtpPacket.mapExtensionIds(out, 0, len, source.publisher().forwardingExtensionMap());
        scratch.setOffset(0);
        scratch.setLength(len);
        if (receiver.send(scratch, source.isVideo() ? SendKind.VIDEO : SendKind.AUDIO, now)) {
            packetsSent++;
            bytesSent += len;
            if (source.isVideo()) {
                metrics.videoPacketsOut.increment();
                metrics.videoBytesOut.increment(len);
            } else {
                metrics.audioPacketsOut.increment();
                metrics.audioBytesOut.increment(len);
            }
        }
    }

    /**
     * A packet of a temporal layer the receiver does not get: its number is closed up. A late one
     * whose number the receiver already expects (later packets went out) goes as padding only
     * under that number (RFC 3550 section 5.1), so the receiver neither waits for it nor NACKs it.
     */
    private void skip(byte[] b, int off, int header, RelayCodec codec, PacketBuffer scratch, long now) {
        int slot = rewriter.skip(b, off);
        if (slot < 0 || header + 1 > scratch.getBuffer().length) {
            return;
        }
        byte[] out = scratch.getBuffer();
        System.arraycopy(b, off, out, 0, header);
        out[0] |= 0x20;
        out[1] &= 0x7f;
        out[header] = 1;
        RtpPacket.setSsrc(out, 0, rewriter.outSsrc());
        RtpPacket.setSequence(out, 0, slot);
        RtpPacket.setTimestamp(out, 0, rewriter.outTimestamp(RtpPacket.timestamp(b, off)));
        RtpPacket.setPayloadType(out, 0, codec.payloadType());
        RtpPacket.mapExtensionIds(out, 0, header + 1, source.publisher().forwardingExtensionMap());
        scratch.setOffset(0);
        scratch.setLength(header + 1);
        receiver.send(scratch, SendKind.VIDEO, now);
    }

    /**
     * Answers a receiver's NACK for one of its sequence numbers from the source's cache, as RTX
     * (RFC 4588 section 4: original sequence number first, then the payload). A receiver that did
     * not accept RTX gets nothing: the packet again under its own number would reuse an SRTP index
     * already sent, which the SRTP sender refuses (RFC 3711 section 9.1); it recovers with a PLI.
     */
    void retransmit(int outSeq, PacketBuffer scratch, long now) {
        synchronized (rtxLock) {
            retransmitLocked(outSeq, scratch, now);
        }
    }

    private void retransmitLocked(int outSeq, PacketBuffer scratch, long now) {
        if (!source.isVideo() || rtxSsrc == 0) {
            return;
        }
        // From the cache of the layer that fed this sequence number (before or after a switch).
        long inSsrc = rewriter.inSsrc(outSeq);
        int layer = source.layerOfSsrc(inSsrc);
        if (layer < 0) {
            return;
        }
        int inSeq = rewriter.inSequence(outSeq);
        if (inSeq < 0) {
            return;
        }
        byte[] out = scratch.getBuffer();
        int len = source.layer(layer).cache().copy(inSeq, out, now);
        if (len < 0) {
            // lost before it reached this relay and not repaired yet: a linked relay's source asks
            // its relay again; the repair, when it comes, reaches the receiver under this number
            source.publisher().packetMissing(inSsrc, inSeq, now);
            return;
        }
        if (RtpPacket.ssrc(out, 0) != inSsrc) {
            return;
        }
        RelayCodec codec = source.codec(RtpPacket.payloadType(out, 0));
        if (codec == null || codec.rtxPayloadType() <= 0 || !receiver.accepts(codec.rtxPayloadType())) {
            return;
        }
        RtpPacket.setSsrc(out, 0, rewriter.outSsrc());
        RtpPacket.setSequence(out, 0, outSeq);
        RtpPacket.setTimestamp(out, 0, rewriter.outTimestamp(outSeq, RtpPacket.timestamp(out, 0)));
        RtpPacket.mapExtensionIds(out, 0, len, source.publisher().forwardingExtensionMap());
        if (codec == RelayCodec.VP8) {
            int header = RtpPacket.headerLength(out, 0, len);
            temporal.rewriteRepair(out, header, RtpPacket.payloadLength(out, 0, len), outSeq);
            continuity.rewriteRepair(out, header, RtpPacket.payloadLength(out, 0, len), outSeq);
        }
        int header = RtpPacket.headerLength(out, 0, len);
        int payloadLen = RtpPacket.payloadLength(out, 0, len);
        if (len + 2 > out.length - PacketBuffer.TAIL_ROOM) {
            return;
        }
        System.arraycopy(out, header, out, header + 2, payloadLen);
        RtpPacket.putShort(out, header, outSeq);
        out[0] &= ~0x20; // padding is not carried over into the RTX payload
        len = header + 2 + payloadLen;
        RtpPacket.setSsrc(out, 0, rtxSsrc);
        RtpPacket.setSequence(out, 0, rtxSequence.getAndIncrement() & 0xFFFF);
        RtpPacket.setPayloadType(out, 0, codec.rtxPayloadType());
        scratch.setOffset(0);
        scratch.setLength(len);
        if (receiver.send(scratch, SendKind.VIDEO, now)) {
            metrics.retransmissions.increment();
        }
    }

    /** True when this stream can carry probe padding: video with RTX the receiver accepted. */
    boolean canPad() {
        RelayCodec codec = lastCodec;
        return rtxSsrc != 0 && codec != null && codec.rtxPayloadType() > 0 && receiver.accepts(codec.rtxPayloadType())
                && rewriter.highestOutSequence() >= 0;
    }

    /**
     * Sends {@code count} padding-only packets on the RTX SSRC (RFC 3550 section 5.1: P bit set,
     * the last octet counts the padding; no payload, so the receiver repairs nothing with them),
     * as probe cluster {@code cluster}. Runs on the relay's scheduler; the RTX sequence and its
     * SRTP context are shared with retransmissions, hence the lock (never taken per forwarded
     * packet).
     */
    void sendPadding(int count, int paddingBytes, int cluster) {
        RelayCodec codec = lastCodec;
        if (codec == null || !receiver.isConnected()) {
            return;
        }
        synchronized (rtxLock) {
            for (int k = 0; k < count; k++) {
                byte[] out = padScratch.getBuffer();
                out[0] = (byte) 0xA0;
                out[1] = (byte) codec.rtxPayloadType();
                RtpPacket.setSequence(out, 0, rtxSequence.getAndIncrement() & 0xFFFF);
                RtpPacket.setTimestamp(out, 0, rewriter.lastOutTimestamp());
                RtpPacket.setSsrc(out, 0, rtxSsrc);
                java.util.Arrays.fill(out, 12, 12 + paddingBytes - 1, (byte) 0);
                out[12 + paddingBytes - 1] = (byte) paddingBytes;
                padScratch.setOffset(0);
                padScratch.setLength(12 + paddingBytes);
                receiver.send(padScratch, SendKind.VIDEO, System.nanoTime(), cluster);
            }
        }
    }

    /**
     * Sends the receiver an SR for its stream made from the publisher's SR: same NTP time, the
     * RTP timestamp moved into the receiver's timestamp space, the receiver's own counts. This
     * keeps audio/video sync working through the relay (RFC 3550 section 6.4.1).
     */
    void sendTranslatedSenderReport(long sourceSsrc, long ntp, long rtpTimestamp, PacketBuffer scratch) {
        // Only the SRs of the layer forwarded now map into the receiver's timestamp space.
        if (!receiver.isConnected() || rewriter.highestOutSequence() < 0 || sourceSsrc != rewriter.inSsrc()) {
            return;
        }
        byte[] out = scratch.getBuffer();
        int len = RtcpPacket.writeSenderReport(out, 0, rewriter.outSsrc(), ntp, rewriter.outTimestamp(rtpTimestamp),
                packetsSent, bytesSent);
        scratch.setOffset(0);
        scratch.setLength(len);
        receiver.sendRtcp(scratch);
    }
}
