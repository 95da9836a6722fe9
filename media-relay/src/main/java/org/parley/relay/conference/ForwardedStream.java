package org.parley.relay.conference;

import java.util.concurrent.atomic.AtomicInteger;
import org.parley.relay.RelayMetrics;
import org.parley.relay.RelayMetrics.Drop;
import org.parley.relay.rtp.KeyframeDetector;
import org.parley.relay.rtp.RtcpPacket;
import org.parley.relay.rtp.RtpPacket;
import org.parley.relay.rtp.StreamRewriter;
import org.parley.relay.sdp.RelayCodec;
import org.parley.relay.transport.PacketBuffer;
import org.parley.relay.transport.SendKind;

/**
 * One source as one receiver gets it, in one m-section of the receiver's subscriber connection:
 * the receiver's own SSRC, sequence numbers and timestamps (via {@link StreamRewriter}), the
 * receiver's payload types and extension ids, retransmissions for its NACKs.
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
    private volatile boolean needKeyframe = true;
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

    void requireKeyframe() {
        needKeyframe = true;
    }

    /**
     * Forwards one plaintext packet of the source (publisher receive thread only). The packet is
     * copied into {@code scratch}, so the original stays intact for the next receiver.
     */
    void forward(byte[] b, int off, int len, PacketBuffer scratch, long now) {
        if (!receiver.isConnected()) {
            return;
        }
        RelayCodec codec = source.codec(RtpPacket.payloadType(b, off));
        if (codec == null || !receiver.accepts(codec.payloadType())) {
            metrics.drop(Drop.CODEC_NOT_ACCEPTED);
            return;
        }
        if (needKeyframe && source.isVideo()) {
            int header = RtpPacket.headerLength(b, off, len);
            if (!KeyframeDetector.isKeyframeStart(codec, b, off + header, RtpPacket.payloadLength(b, off, len))) {
                metrics.drop(Drop.WAITING_FOR_KEYFRAME);
                source.requestKeyframe(false);
                return;
            }
            needKeyframe = false;
        }
        byte[] out = scratch.getBuffer();
        System.arraycopy(b, off, out, 0, len);
        rewriter.rewrite(out, 0, now);
        RtpPacket.setPayloadType(out, 0, codec.payloadType());
        RtpPacket.mapExtensionIds(out, 0, len, source.publisher().forwardingExtensionMap());
        scratch.setOffset(0);
        scratch.setLength(len);
        if (receiver.send(scratch, source.isVideo() ? SendKind.VIDEO : SendKind.AUDIO)) {
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
     * Answers a receiver's NACK for one of its sequence numbers from the source's cache: as RTX
     * (RFC 4588 section 4: original sequence number first, then the payload) when the receiver
     * accepted RTX for the codec, else as the same packet again.
     */
    void retransmit(int outSeq, PacketBuffer scratch, long now) {
        if (source.cache() == null) {
            return;
        }
        int inSeq = rewriter.inSequence(outSeq);
        byte[] out = scratch.getBuffer();
        int len = source.cache().copy(inSeq, out, now);
        if (len < 0 || RtpPacket.ssrc(out, 0) != rewriter.inSsrc()) {
            return;
        }
        RelayCodec codec = source.codec(RtpPacket.payloadType(out, 0));
        if (codec == null) {
            return;
        }
        RtpPacket.setSsrc(out, 0, rewriter.outSsrc());
        RtpPacket.setSequence(out, 0, outSeq);
        RtpPacket.setTimestamp(out, 0, rewriter.outTimestamp(RtpPacket.timestamp(out, 0)));
        RtpPacket.mapExtensionIds(out, 0, len, source.publisher().forwardingExtensionMap());
        if (rtxSsrc != 0 && codec.rtxPayloadType() > 0 && receiver.accepts(codec.rtxPayloadType())) {
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
        } else {
            RtpPacket.setPayloadType(out, 0, codec.payloadType());
        }
        scratch.setOffset(0);
        scratch.setLength(len);
        if (receiver.send(scratch, SendKind.VIDEO)) {
            metrics.retransmissions.increment();
        }
    }

    /**
     * Sends the receiver an SR for its stream made from the publisher's SR: same NTP time, the
     * RTP timestamp moved into the receiver's timestamp space, the receiver's own counts. This
     * keeps audio/video sync working through the relay (RFC 3550 section 6.4.1).
     */
    void sendTranslatedSenderReport(long ntp, long rtpTimestamp, PacketBuffer scratch) {
        if (!receiver.isConnected() || rewriter.highestOutSequence() < 0) {
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
