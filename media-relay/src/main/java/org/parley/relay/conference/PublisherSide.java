package org.parley.relay.conference;

import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.parley.relay.RelayMetrics;
import org.parley.relay.debug.FrameCapture;
import org.parley.relay.RelayMetrics.Drop;
import org.parley.relay.rtp.MissingPackets;
import org.parley.relay.rtp.PictureHeight;
import org.parley.relay.rtp.ReceiveStatistics;
import org.parley.relay.rtp.RtcpPacket;
import org.parley.relay.rtp.RtpPacket;
import org.parley.relay.rtp.TwccRecorder;
import org.parley.relay.sdp.HeaderExtension;
import org.parley.relay.sdp.PublishedTrack;
import org.parley.relay.sdp.PublisherOffer;
import org.parley.relay.transport.FanOutBatch;
import org.parley.relay.transport.PacketBuffer;
import org.parley.relay.transport.PeerTransport;
import org.parley.relay.transport.SrtpTransformer;

/**
 * The receiving half of an endpoint: its publisher connection. Terminates the publisher's RTP
 * and RTCP (RFC 7667 section 3.7): records TWCC arrivals and answers with feedback, writes
 * receiver reports, reads audio levels, and hands each media packet to its {@link Source}'s
 * receivers. Everything here runs on the publisher transport's receive thread.
 */
final class PublisherSide implements PeerTransport.Handler {

    private static final long TWCC_INTERVAL_NANOS = 50_000_000L;
    private static final long RR_INTERVAL_NANOS = 1_000_000_000L;

    /**
     * What an incoming SSRC is: a source's primary stream (with its statistics and, for video,
     * the packets asked for again) of simulcast layer {@code layer}, or an RTX repair stream of
     * {@code repairs} (-1: unknown).
     */
    private record Incoming(Source source, boolean rtx, ReceiveStatistics stats, MissingPackets missing,
            long repairs, int layer) {

        static Incoming primary(Source s, long ssrc, int layer) {
            return new Incoming(s, false, new ReceiveStatistics(ssrc, s.clockRate()),
                    s.isVideo() ? new MissingPackets() : null, -1, layer);
        }

        static Incoming repair(Source s, long repairs) {
            return new Incoming(s, true, null, null, repairs, -1);
        }
    }

    private final Endpoint endpoint;
    private final RelayMetrics metrics;
    private final long relaySsrc;
    private final Map<Long, Incoming> bySsrc = new ConcurrentHashMap<>();
    private final Map<String, Source> byMid = new ConcurrentHashMap<>();
    private final TwccRecorder twcc = new TwccRecorder();
    private final PacketBuffer forwardScratch = PacketBuffer.allocate();
    /** The capture-frames test hook; null (the default) costs the packet path one branch. */
    private final FrameCapture capture;
    private final PacketBuffer rtcpScratch = PacketBuffer.allocate();
    private final PacketBuffer controlScratch = PacketBuffer.allocate();
    /** Sequence numbers found missing by the last packet (receive thread only). */
    private final int[] missingScratch = new int[MissingPackets.MAX_GAP];
    /** Reads keyframe picture heights per layer (receive thread only). */
    private final PictureHeight pictureHeight = new PictureHeight();
    private volatile PeerTransport transport;
    private volatile int twccId;
    private volatile int audioLevelId;
    private volatile int midId;
    private volatile int ridId;
    private volatile int repairedRidId;
    private volatile long lastTwccNanos;
    private volatile long lastRrNanos;
    private volatile long lastMediaSsrc;
    private final SpeechLevel speech = new SpeechLevel();

    PublisherSide(Endpoint endpoint, RelayMetrics metrics, long relaySsrc, FrameCapture capture) {
        this.capture = capture;
        this.endpoint = endpoint;
        this.metrics = metrics;
        this.relaySsrc = relaySsrc;
    }

    void setTransport(PeerTransport transport) {
        this.transport = transport;
    }

    /** Applies a (re)negotiated offer; returns the sources now published. */
    synchronized List<Source> apply(PublisherOffer offer) {
        twccId = offer.extensionId(HeaderExtension.TRANSPORT_CC);
        audioLevelId = offer.extensionId(HeaderExtension.AUDIO_LEVEL);
        midId = offer.extensionId(HeaderExtension.MID);
        ridId = offer.extensionId(HeaderExtension.RID);
        repairedRidId = offer.extensionId(HeaderExtension.REPAIRED_RID);
        endpoint.setForwardingExtensionMap(offer.forwardingIdMap());
        java.util.Set<String> current = new java.util.HashSet<>();
        for (PublishedTrack t : offer.tracks()) {
            current.add(t.mid());
            Source s = byMid.get(t.mid());
            if (s == null) {
                s = new Source(endpoint, t);
                byMid.put(t.mid(), s);
            } else {
                s.update(t);
                forgetStaleLayers(s);
            }
            for (Long ssrc : t.ssrcs()) {
                int layer = s.layerOfSsrc(ssrc);
                bySsrc.putIfAbsent(ssrc, Incoming.primary(s, ssrc, Math.max(0, layer)));
            }
            for (Map.Entry<Long, Long> rtx : t.rtxSsrcs().entrySet()) {
                bySsrc.putIfAbsent(rtx.getKey(), Incoming.repair(s, rtx.getValue()));
            }
        }
        byMid.keySet().retainAll(current);
        bySsrc.values().removeIf(in -> !current.contains(in.source().mid()));
        return List.copyOf(byMid.values());
    }

    /**
     * After a renegotiation changed a source's layers: SSRCs bound to a layer that is gone or now
     * has another SSRC are forgotten (and learned again from their rid), so no packet is
     * counted against a layer it does not belong to.
     */
    private void forgetStaleLayers(Source s) {
        bySsrc.entrySet().removeIf(e -> {
            Incoming in = e.getValue();
            if (in.source() != s) {
                return false;
            }
            if (in.rtx()) {
                return in.repairs() >= 0 && s.layerOfSsrc(in.repairs()) < 0;
            }
            return in.layer() >= s.layerCount() || s.layer(in.layer()).ssrc() != e.getKey();
        });
    }

    List<Source> sources() {
        return List.copyOf(byMid.values());
    }

    /** Loudness of the last second, 0 (silent) .. 127 (0 dBov), for active-speaker detection. */
    double speechScore(long nowNanos) {
        return speech.score(nowNanos);
    }

    @Override
    public void onRtp(byte[] b, int off, int len, long now) {
        if (twccId > 0) {
            int at = RtpPacket.findExtension(b, off, len, twccId);
            if (at >= 0 && (b[at - 1] & 0x0f) == 1) {
                twcc.record(RtpPacket.u16(b, at), now / 1000);
            }
        }
        long ssrc = RtpPacket.ssrc(b, off);
        Incoming in = bySsrc.get(ssrc);
        if (in == null) {
            in = learn(b, off, len, ssrc);
            if (in == null) {
                metrics.drop(Drop.UNKNOWN_SSRC);
                maybeSendFeedback(now);
                return;
            }
        }
        lastMediaSsrc = ssrc;
        Source source = in.source();
        if (in.rtx()) {
            Incoming primary = in.repairs() < 0 ? null : bySsrc.get(in.repairs());
            int restored = primary == null ? -1 : restoreRepair(b, off, len, primary);
            if (restored < 0) {
                // Probing padding and repairs of packets the relay never asked for: TWCC has
                // counted them, nothing to forward.
                metrics.drop(Drop.PADDING_ONLY);
                maybeSendFeedback(now);
                return;
            }
            metrics.repairsReceived.increment();
            len = restored;
            in = primary;
        } else if (RtpPacket.payloadLength(b, off, len) <= 0) {
            metrics.drop(Drop.PADDING_ONLY);
            maybeSendFeedback(now);
            return;
        } else if (in.missing() != null) {
            int seq = RtpPacket.sequence(b, off);
            int gap = in.missing().onPacket(seq, missingScratch);
            if (gap > 0) {
                sendNack(ssrc, gap);
            } else if (in.missing().takeRequested(seq)) {
                // resent as the plain packet (no RTX negotiated): forwarded like any late packet
                metrics.repairsReceived.increment();
            }
        }
        int seq = RtpPacket.sequence(b, off);
        boolean tooLate = in.stats().isBehind(seq, SrtpTransformer.SEND_REPLAY_WINDOW);
        in.stats().onPacket(seq, RtpPacket.timestamp(b, off), now, len);
        int layerIndex = in.layer();
        boolean keyframe = source.arrived(layerIndex, b, off, len, now, pictureHeight, metrics);
        if (tooLate) {
            // Cached by arrived(): a receiver that still misses it gets it as RTX on its NACK.
            // Sent as itself, its number would be refused by the SRTP sender of every receiver
            // (and of every relay link), one copy at a time.
            metrics.drop(Drop.TOO_LATE);
            maybeSendFeedback(now);
            return;
        }
        if (!source.isVideo()) {
            speech.read(b, off, len, audioLevelId, now);
        }
        if (!source.muted()) {
            boolean forwarded = false;
            // The copies leave together, in one system call per up to 16 receivers (FanOutBatch).
            FanOutBatch.open();
            try {
                for (ForwardedStream sink : source.sinks()) {
                    sink.forward(b, off, len, forwardScratch, now, layerIndex, keyframe);
                    forwarded = true;
                }
            } finally {
                FanOutBatch.close(metrics);
            }
            for (CascadeLink link : endpoint.conference().links()) {
                link.forward(b, off, len);
            }
            if (forwarded) {
                // now was taken when the receive thread got the datagram, before SRTP.
                metrics.forwardingDwell.record(System.nanoTime() - now);
                if (capture != null) {
                    capture.forwarded(endpoint.id(), source.codec(RtpPacket.payloadType(b, off)), b, off, len);
                }
            }
        }
        maybeSendFeedback(now);
    }

    /** Binds an SSRC no a=ssrc line named, by its mid extension (RFC 8843 section 9.2). */
    private Incoming learn(byte[] b, int off, int len, long ssrc) {
        if (midId <= 0 || bySsrc.size() > 64) {
            return null;
        }
        int at = RtpPacket.findExtension(b, off, len, midId);
        if (at < 0) {
            return null;
        }
        int n = (b[at - 1] & 0x0f) + 1;
        String mid = new String(b, at, n, java.nio.charset.StandardCharsets.US_ASCII);
        Source s = byMid.get(mid);
        if (s == null) {
            return null;
        }
        boolean rtx = s.codec(RtpPacket.payloadType(b, off)) == null;
        int layer = layerOf(s, b, off, len, rtx ? repairedRidId : ridId);
        if (layer < 0) {
            return null;
        }
        Layer l = s.layer(layer);
        Incoming in;
        if (rtx) {
            // RFC 8852 section 3.2: repaired-rtp-stream-id names the layer an RTX stream
            // repairs; bound once that layer's own SSRC is known.
            if (l.ssrc() < 0) {
                return null;
            }
            in = Incoming.repair(s, l.ssrc());
        } else {
            if (l.ssrc() >= 0 && l.ssrc() != ssrc) {
                // A second SSRC claiming a layer that has one: not forwarded.
                return null;
            }
            l.setSsrc(ssrc);
            in = Incoming.primary(s, ssrc, layer);
        }
        bySsrc.put(ssrc, in);
        return in;
    }

    /**
     * The layer a packet of an unknown SSRC belongs to: by its rid extension (RFC 8852) when the
     * source has rids, else layer 0; -1 when the packet does not say.
     */
    private static int layerOf(Source s, byte[] b, int off, int len, int extId) {
        if (!s.layer(0).ridSignalled()) {
            return 0;
        }
        int at = extId <= 0 ? -1 : RtpPacket.findExtension(b, off, len, extId);
        if (at < 0) {
            return -1;
        }
        return s.layerOfRid(b, at, (b[at - 1] & 0x0f) + 1);
    }

    private void maybeSendFeedback(long now) {
        PeerTransport t = transport;
        if (t == null || !t.isConnected()) {
            return;
        }
        if (twccId > 0 && now - lastTwccNanos >= TWCC_INTERVAL_NANOS && twcc.hasPending()) {
            lastTwccNanos = now;
            int len = twcc.writeFeedback(rtcpScratch.getBuffer(), 0, relaySsrc, lastMediaSsrc);
            if (len > 0) {
                rtcpScratch.setOffset(0);
                rtcpScratch.setLength(len);
                if (t.sendRtcp(rtcpScratch)) {
                    metrics.twccFeedbackSent.increment();
                }
            }
        }
        if (now - lastRrNanos >= RR_INTERVAL_NANOS) {
            lastRrNanos = now;
            sendReceiverReport(t, now);
        }
    }

    private void sendReceiverReport(PeerTransport t, long now) {
        byte[] out = rtcpScratch.getBuffer();
        int blocks = 0;
        int at = 8;
        for (Incoming in : bySsrc.values()) {
            if (in.stats() != null && in.stats().hasPackets() && blocks < 31) {
                long lostBefore = in.stats().cumulativeLost();
                at += in.stats().writeReportBlock(out, at, now);
                blocks++;
                // Per-stream loss and jitter as the relay measures them, once per report.
                metrics.streamJitterSeconds.record(in.stats().jitterMillis() / 1000.0);
                long newlyLost = in.stats().cumulativeLost() - lostBefore;
                if (newlyLost > 0) {
                    metrics.streamPacketsLost.increment(newlyLost);
                }
            }
        }
        if (blocks == 0) {
            return;
        }
        RtcpPacket.writeReceiverReportHeader(out, 0, relaySsrc, blocks);
        rtcpScratch.setOffset(0);
        rtcpScratch.setLength(at);
        t.sendRtcp(rtcpScratch);
    }

    @Override
    public void onRtcp(byte[] b, int off, int len, long now) {
        int i = off;
        int end = off + len;
        while (i < end) {
            int plen = RtcpPacket.length(b, i);
            if (RtcpPacket.type(b, i) == RtcpPacket.SR && plen >= 28) {
                onSenderReport(b, i, now);
            }
            i += plen;
        }
    }

    private void onSenderReport(byte[] b, int at, long now) {
        long ssrc = RtcpPacket.senderSsrc(b, at);
        Incoming in = bySsrc.get(ssrc);
        if (in == null || in.stats() == null) {
            return;
        }
        long ntp = (RtpPacket.u32(b, at + 8) << 32) | RtpPacket.u32(b, at + 12);
        long rtpTs = RtpPacket.u32(b, at + 16);
        in.stats().onSenderReport(ntp, rtpTs, now);
        for (ForwardedStream sink : in.source().sinks()) {
            sink.sendTranslatedSenderReport(ssrc, ntp, rtpTs, rtcpScratch);
        }
        for (CascadeLink link : endpoint.conference().links()) {
            link.forwardSenderReport(ssrc, ntp, rtpTs, RtpPacket.u32(b, at + 20), RtpPacket.u32(b, at + 24),
                    rtcpScratch);
        }
    }

    /**
     * Turns an RTX packet (RFC 4588 section 4) back into the packet it repairs, in place: the
     * original sequence number is the first two payload bytes, SSRC and payload type are the
     * primary stream's. Only packets the relay asked for are restored; returns the restored
     * length, or -1 to drop (padding-only probes, unasked repairs, an unknown payload type).
     */
    private int restoreRepair(byte[] b, int off, int len, Incoming primary) {
        int header = RtpPacket.headerLength(b, off, len);
        if (primary.missing() == null || RtpPacket.payloadLength(b, off, len) < 2) {
            return -1;
        }
        int originalSeq = RtpPacket.u16(b, off + header);
        int originalPt = primary.source().repairedPayloadType(RtpPacket.payloadType(b, off));
        if (originalPt < 0 || !primary.missing().takeRequested(originalSeq)) {
            return -1;
        }
        System.arraycopy(b, off + header + 2, b, off + header, len - header - 2);
        RtpPacket.setSequence(b, off, originalSeq);
        RtpPacket.setSsrc(b, off, primary.stats().ssrc());
        RtpPacket.setPayloadType(b, off, originalPt);
        return len - 2;
    }

    /**
     * Asks the publisher for the packets {@link #missingScratch} names (generic NACK, RFC 4585
     * section 6.2.1): one FCI entry per 17 consecutive sequence numbers.
     */
    private void sendNack(long mediaSsrc, int count) {
        PeerTransport t = transport;
        if (t == null || !t.isConnected()) {
            return;
        }
        synchronized (controlScratch) {
            int at = RtcpPacket.writeNacks(controlScratch.getBuffer(), 0, relaySsrc, mediaSsrc, missingScratch, count);
            controlScratch.setOffset(0);
            controlScratch.setLength(at);
            if (t.sendRtcp(controlScratch)) {
                metrics.nacksSent.increment();
            }
        }
    }

    /** Sends a PLI for one of this publisher's SSRCs; called from any thread. */
    void sendPli(long mediaSsrc) {
        PeerTransport t = transport;
        if (t == null || !t.isConnected()) {
            return;
        }
        synchronized (controlScratch) {
            int len = RtcpPacket.writePli(controlScratch.getBuffer(), 0, relaySsrc, mediaSsrc);
            controlScratch.setOffset(0);
            controlScratch.setLength(len);
            if (t.sendRtcp(controlScratch)) {
                metrics.plisSent.increment();
            }
        }
    }

    /** Packets and bytes received on this connection, for stats. */
    long[] received() {
        long packets = 0;
        long bytes = 0;
        for (Incoming in : bySsrc.values()) {
            if (in.stats() != null) {
                packets += in.stats().received();
                bytes += in.stats().bytes();
            }
        }
        return new long[] {packets, bytes};
    }
}
