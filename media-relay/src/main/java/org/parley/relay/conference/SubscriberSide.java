package org.parley.relay.conference;

import java.util.ArrayList;
import java.util.Collection;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.function.LongConsumer;
import org.parley.relay.RelayMetrics;
import org.parley.relay.bwe.BweSettings;
import org.parley.relay.bwe.SendHistory;
import org.parley.relay.control.RelayException;
import org.parley.relay.rtp.RtcpPacket;
import org.parley.relay.rtp.RtpPacket;
import org.parley.relay.rtp.TwccFeedback;
import org.parley.relay.sdp.LocalTransport;
import org.parley.relay.sdp.SubscriberAnswer;
import org.parley.relay.sdp.SubscriberOffer;
import org.parley.relay.sdp.SubscriberSlot;
import org.parley.relay.transport.PacketBuffer;
import org.parley.relay.transport.PeerTransport;
import org.parley.relay.transport.SendKind;

/**
 * The sending half of an endpoint: its subscriber connection, where the relay is always the
 * offerer. Keeps the m-sections (slots) and what each forwards, makes a new offer when the set of
 * forwarded sources changes (never while one is outstanding, so offers cannot cross), and
 * terminates the receiver's RTCP: NACKs are answered from the cache, PLI/FIR go to the source,
 * transport-wide feedback and REMB feed the receiver's downlink estimate ({@link DownlinkBandwidth}).
 */
final class SubscriberSide implements PeerTransport.Handler {

    private static final class Slot {
        final String mid;
        final String kind;
        ForwardedStream stream;
        boolean attached;

        Slot(String mid, String kind) {
            this.mid = mid;
            this.kind = kind;
        }
    }

    private final Endpoint endpoint;
    private final RelayMetrics metrics;
    private final long relaySsrc;
    private final long sessionId = ThreadLocalRandom.current().nextLong(1, Long.MAX_VALUE);
    private final List<Slot> slots = new ArrayList<>();
    private final Map<Long, ForwardedStream> byOutSsrc = new ConcurrentHashMap<>();
    private final PacketBuffer retransmitScratch = PacketBuffer.allocate();
    private volatile boolean[] accepted = new boolean[128];
    private volatile PeerTransport transport;
    private boolean offerOutstanding;
    private boolean renegotiationPending;
    private boolean remoteSet;
    private boolean iceRestartRequested;
    /** The relay's ICE ufrag in the outstanding offer: tells which ICE session an answer is for. */
    private String offeredUfrag;
    private long version;
    private volatile long receiverEstimateBps;
    private final DownlinkBandwidth bandwidth;
    private final ScheduledExecutorService scheduler;

    SubscriberSide(Endpoint endpoint, RelayMetrics metrics, long relaySsrc, BweSettings bwe,
            ScheduledExecutorService scheduler) {
        this.endpoint = endpoint;
        this.metrics = metrics;
        this.relaySsrc = relaySsrc;
        this.bandwidth = new DownlinkBandwidth(bwe.initialBps(), bwe.minBps(), bwe.maxBps());
        this.scheduler = scheduler;
    }

    /**
     * The receiver's downlink estimate in bits/s: from its transport-wide congestion control
     * feedback, else its REMB, else {@code parley.relay.bwe.initial-bitrate}.
     */
    long availableBandwidthBps() {
        return bandwidth.availableBandwidthBps();
    }

    /** Tells {@code listener} of each move of the estimate by more than 10 % (feedback thread). */
    void onEstimateChanged(LongConsumer listener) {
        bandwidth.onEstimateChanged(listener);
    }

    /**
     * Finds out whether the receiver's link carries {@code targetBps}: a short cluster of
     * padding-only packets on a video stream's RTX SSRC (RFC 3550 section 5.1 padding, RFC 4588
     * RTX, which receivers discard after counting them for feedback) sent at that rate; when
     * the feedback shows it arrived at that rate, the estimate rises to it. Does nothing when
     * no video stream with RTX is being sent.
     */
    void requestProbe(long targetBps) {
        ForwardedStream carrier = null;
        for (ForwardedStream f : streams()) {
            if (f.canPad()) {
                carrier = f;
                break;
            }
        }
        if (carrier == null || !isConnected() || targetBps <= 0) {
            return;
        }
        ProbePlan plan = ProbePlan.forRate(targetBps);
        int cluster = bandwidth.startProbe(plan.packets());
        ForwardedStream stream = carrier;
        for (int tick = 0; tick < plan.ticks(); tick++) {
            int burst = plan.packetsInTick(tick);
            scheduler.schedule(() -> stream.sendPadding(burst, ProbePlan.PADDING_BYTES, cluster),
                    tick * ProbePlan.TICK_MICROS, TimeUnit.MICROSECONDS);
        }
    }

    void setTransport(PeerTransport transport) {
        this.transport = transport;
    }

    boolean isConnected() {
        PeerTransport t = transport;
        return t != null && t.isConnected();
    }

    boolean accepts(int payloadType) {
        return accepted[payloadType & 0x7f];
    }

    /** The receiver's last REMB (bits per second), 0 before any. */
    long receiverEstimateBps() {
        return receiverEstimateBps;
    }

    /**
     * Brings the slots in line with the sources this endpoint should receive; returns a new offer
     * when something changed, or null (nothing changed, or an offer is outstanding: the change
     * is offered once the answer comes back).
     */
    synchronized String update(Collection<Source> desired, LocalTransport local) {
        if (offerOutstanding) {
            renegotiationPending = true;
            return null;
        }
        boolean changed = false;
        Set<Source> wanted = new HashSet<>(desired);
        for (Slot slot : slots) {
            if (slot.stream != null && !wanted.contains(slot.stream.source())) {
                detach(slot);
                changed = true;
            }
        }
        Set<Source> present = new HashSet<>();
        slots.forEach(s -> {
            if (s.stream != null) {
                present.add(s.stream.source());
            }
        });
        for (Source source : desired) {
            if (present.contains(source)) {
                continue;
            }
            Slot slot = slots.stream().filter(s -> s.stream == null && s.kind.equals(source.mediaKind()))
                    .findFirst().orElse(null);
            if (slot == null) {
                slot = new Slot(Integer.toString(slots.size()), source.mediaKind());
                slots.add(slot);
            }
            long rtx = source.isVideo() ? newSsrc() : 0;
            slot.stream = new ForwardedStream(this, source, slot.mid, newSsrc(), rtx, metrics);
            slot.attached = false;
            byOutSsrc.put(slot.stream.outSsrc(), slot.stream);
            if (rtx != 0) {
                byOutSsrc.put(rtx, slot.stream);
            }
            changed = true;
        }
        if (iceRestartRequested && !slots.isEmpty()) {
            changed = true;
            iceRestartRequested = false;
        }
        if (!changed || slots.isEmpty()) {
            return null;
        }
        offerOutstanding = true;
        offeredUfrag = local.iceUfrag();
        version++;
        List<SubscriberSlot> sdpSlots = new ArrayList<>();
        for (Slot s : slots) {
            ForwardedStream f = s.stream;
            sdpSlots.add(f == null ? new SubscriberSlot(s.mid, s.kind, null, null, 0, 0)
                    : new SubscriberSlot(s.mid, s.kind, f.source().publisher().id(), f.source().trackId(),
                            f.outSsrc(), f.rtxSsrc()));
        }
        return SubscriberOffer.build(local, sdpSlots, sessionId, version);
    }

    private void detach(Slot slot) {
        ForwardedStream f = slot.stream;
        f.source().detach(f);
        byOutSsrc.remove(f.outSsrc());
        if (f.rtxSsrc() != 0) {
            byOutSsrc.remove(f.rtxSsrc());
        }
        slot.stream = null;
        slot.attached = false;
    }

    private long newSsrc() {
        long ssrc;
        do {
            ssrc = ThreadLocalRandom.current().nextLong(1, 0x100000000L);
        } while (byOutSsrc.containsKey(ssrc));
        return ssrc;
    }

    /**
     * The client's answer to the outstanding offer. Returns true when another offer should be
     * made right away (changes arrived while this one was outstanding).
     */
    boolean acceptAnswer(String sdp) {
        SubscriberAnswer answer = SubscriberAnswer.parse(sdp);
        List<Source> toAttach = new ArrayList<>();
        boolean again;
        synchronized (this) {
            if (!offerOutstanding) {
                throw new RelayException(RelayException.Reason.WRONG_STATE, "no subscriber offer is outstanding");
            }
            boolean[] pts = new boolean[128];
            for (int pt : answer.acceptedPayloadTypes()) {
                pts[pt & 0x7f] = true;
            }
            accepted = pts;
            again = applyTransport(answer);
            for (Slot s : slots) {
                if (s.stream != null && !s.attached) {
                    s.attached = true;
                    toAttach.add(s.stream.source());
                }
            }
            offerOutstanding = false;
            again |= renegotiationPending;
            renegotiationPending = false;
        }
        synchronized (this) {
            for (Slot s : slots) {
                if (s.stream != null && toAttach.contains(s.stream.source())) {
                    s.stream.source().attach(s.stream);
                }
            }
        }
        return again;
    }

    /**
     * Applies the answer's ICE credentials and DTLS fingerprint; returns true when the relay must
     * offer again because the client changed its ICE credentials on its own (the relay then
     * restarts too: it cannot reuse its ufrag for a second ICE session on the shared port).
     */
    private boolean applyTransport(SubscriberAnswer answer) {
        String remote = transport.ice().remoteUfrag();
        if (!offeredUfrag.equals(transport.ice().localUfrag())) {
            // Answers an offer made before an ICE restart began: its session is the old one,
            // whose credentials are known; the restart is offered next.
            return true;
        }
        if (remoteSet && answer.iceUfrag().equals(remote)) {
            return false;
        }
        if (remoteSet && !transport.isRestartingIce()) {
            requestIceRestart();
            return true;
        }
        try {
            transport.setRemote(answer.iceUfrag(), answer.icePassword(), answer.fingerprint(), answer.candidates());
        } catch (IllegalArgumentException e) {
            throw new RelayException(RelayException.Reason.WRONG_STATE, e.getMessage());
        }
        remoteSet = true;
        return false;
    }

    /**
     * ICE restart of the subscriber connection (RFC 8445 section 9): a new ICE session with fresh
     * credentials goes into the next offer, which is made even if nothing else changed.
     */
    synchronized void requestIceRestart() {
        try {
            transport.restartIce();
        } catch (java.io.IOException e) {
            throw new RelayException(RelayException.Reason.WRONG_STATE, "ICE restart failed: " + e.getMessage());
        }
        iceRestartRequested = true;
    }

    /** Stops forwarding anything to this endpoint. */
    synchronized void close() {
        for (Slot s : slots) {
            if (s.stream != null) {
                detach(s);
            }
        }
    }

    synchronized List<ForwardedStream> streams() {
        List<ForwardedStream> out = new ArrayList<>();
        slots.forEach(s -> {
            if (s.stream != null) {
                out.add(s.stream);
            }
        });
        return out;
    }

    boolean send(PacketBuffer packet, SendKind kind, long now) {
        return send(packet, kind, now, SendHistory.NO_CLUSTER);
    }

    /** Sends an RTP packet with the connection's next transport-wide sequence number. */
    boolean send(PacketBuffer packet, SendKind kind, long now, int probeCluster) {
        PeerTransport t = transport;
        if (t == null) {
            return false;
        }
        bandwidth.stamp(packet, now, probeCluster);
        return t.sendRtp(packet, kind);
    }

    void sendRtcp(PacketBuffer packet) {
        PeerTransport t = transport;
        if (t != null) {
            t.sendRtcp(packet);
        }
    }

    @Override
    public void onConnected() {
        // A receiver that just connected needs a keyframe of everything it gets.
        for (ForwardedStream f : byOutSsrc.values()) {
            f.requireKeyframe();
            f.source().requestKeyframe(true);
        }
    }

    @Override
    public void onFailed(String reason) {
        endpoint.transportFailed("subscriber: " + reason);
    }

    @Override
    public void onRtp(byte[] b, int off, int len, long now) {
        // Receivers send no media on their subscriber connection.
        metrics.drop(RelayMetrics.Drop.UNKNOWN_SSRC);
    }

    @Override
    public void onRtcp(byte[] b, int off, int len, long now) {
        int i = off;
        int end = off + len;
        while (i < end) {
            int plen = RtcpPacket.length(b, i);
            int type = RtcpPacket.type(b, i);
            int fmt = RtcpPacket.countOrFormat(b, i);
            if (type == RtcpPacket.RTPFB && fmt == RtcpPacket.FMT_NACK && plen >= 16) {
                onNack(b, i, plen, now);
            } else if (type == RtcpPacket.PSFB && plen >= 12) {
                if (fmt == RtcpPacket.FMT_PLI) {
                    onKeyframeRequest(RtcpPacket.mediaSsrc(b, i));
                } else if (fmt == RtcpPacket.FMT_FIR && plen >= 20) {
                    // RFC 5104 section 4.3.1.2: the media source is named in the FCI.
                    onKeyframeRequest(RtpPacket.u32(b, i + 12));
                } else if (fmt == RtcpPacket.FMT_AFB && RtcpPacket.isRemb(b, i, plen)) {
                    receiverEstimateBps = RtcpPacket.rembBitrate(b, i);
                    bandwidth.onRemb(receiverEstimateBps);
                }
            } else if (TwccFeedback.isTwcc(b, i) && bandwidth.onFeedback(b, i, plen, now)) {
                metrics.twccFeedbackReceived.increment();
            }
            i += plen;
        }
    }

    private void onNack(byte[] b, int at, int plen, long now) {
        metrics.nacksReceived.increment();
        ForwardedStream f = byOutSsrc.get(RtcpPacket.mediaSsrc(b, at));
        if (f == null) {
            return;
        }
        // RFC 4585 section 6.2.1: each FCI is a packet id plus a bitmask of the 16 following.
        for (int fci = at + 12; fci + 4 <= at + plen; fci += 4) {
            int pid = RtpPacket.u16(b, fci);
            int blp = RtpPacket.u16(b, fci + 2);
            f.retransmit(pid, retransmitScratch, now);
            for (int bit = 0; bit < 16; bit++) {
                if ((blp & (1 << bit)) != 0) {
                    f.retransmit((pid + bit + 1) & 0xFFFF, retransmitScratch, now);
                }
            }
        }
    }

    private void onKeyframeRequest(long mediaSsrc) {
        metrics.plisReceived.increment();
        ForwardedStream f = byOutSsrc.get(mediaSsrc);
        if (f != null) {
            f.requestKeyframe();
        }
    }

    long relaySsrc() {
        return relaySsrc;
    }
}
