package org.parley.relay.conference;

import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ThreadLocalRandom;
import org.parley.relay.RelayMetrics;
import org.parley.relay.control.ConferenceStats;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.parley.relay.cascade.LinkRepairPacket;
import org.parley.relay.cascade.LinkSocket;
import org.parley.relay.rtp.MissingPackets;
import org.parley.relay.rtp.PictureHeight;
import org.parley.relay.rtp.RtcpPacket;
import org.parley.relay.rtp.RtpPacket;
import org.parley.relay.transport.FanOutBatch;
import org.parley.relay.transport.PacketBuffer;

/**
 * One conference's link to one peer relay (cascading, docs/cluster.md "Cascading"). Outwards it
 * carries every packet of every local source once, every layer of it (the peer's receivers pick
 * their layer there), the publishers' sender reports and an announcement of each local source;
 * inwards it turns the peer's announced sources into {@link RemotePublisher}s whose packets this
 * relay forwards to its own receivers exactly as a local publisher's (SSRC rewriting, layer
 * selection, NACKs answered from this relay's cache of what crossed the link). A keyframe request
 * for a remote source crosses the link as a PLI on the publisher's SSRC; the peer hands it to the
 * publisher's source, throttled as its own receivers' requests are.
 *
 * <p>Loss on the link itself is repaired across it: the receiving relay notes gaps in each remote
 * video SSRC and NACKs them over the link (RFC 4585 section 6.2.1, in SRTCP); the sending relay
 * answers from its own cache on its repair stream ({@link LinkRepairPacket}). A receiver's NACK
 * for a packet still missing here asks the link again, at most once per {@link #ASK_AGAIN_NANOS}
 * and {@link MissingPackets#MAX_ASKS} times however many receivers ask; the repair, when it
 * comes, goes to every receiver like a late packet (its number was held open for it).
 *
 * <p>Links form a full mesh: what arrives over a link is forwarded to local receivers only, never
 * onto another link.
 */
final class CascadeLink implements LinkSocket.Receiver {

    private static final Logger LOG = LoggerFactory.getLogger(CascadeLink.class);

    /** A remote source not announced for this long is withdrawn (announcements every tick, 500 ms). */
    static final long FORGET_AFTER_NANOS = 2_500_000_000L;
    /**
     * A packet still missing is asked for again over the link no sooner than this after the last
     * request: about a long link's round trip, so a request is not repeated while its answer is
     * still on the way.
     */
    static final long ASK_AGAIN_NANOS = 150_000_000L;
    /** Sequence numbers read from one NACK packet of the peer: more are not answered. */
    private static final int MAX_NACKED = 256;

    /** A remote SSRC: which source and layer it feeds, and for video what was lost on the link. */
    private record RemoteStream(Source source, int layer, MissingPackets missing) {

        static RemoteStream of(Source source, int layer) {
            return new RemoteStream(source, layer, source.isVideo() ? new MissingPackets() : null);
        }
    }

    private final Conference conference;
    private final String peerRelay;
    private final RelayContext context;
    private final long linkSsrc = ThreadLocalRandom.current().nextLong(1, 0x100000000L);
    private final Map<String, RemotePublisher> remotes = new ConcurrentHashMap<>();
    private final Map<Long, RemoteStream> bySsrc = new ConcurrentHashMap<>();
    /** Receive-thread scratch. */
    private final PacketBuffer forwardScratch = PacketBuffer.allocate();
    private final PacketBuffer rtcpScratch = PacketBuffer.allocate();
    private final PictureHeight pictureHeight = new PictureHeight();
    /** Sequence numbers found missing on the link, and those the peer NACKed (receive thread). */
    private final int[] missingScratch = new int[MissingPackets.MAX_GAP];
    private final int[] nackedScratch = new int[MAX_NACKED];
    /** Repairs this relay sends (receive thread): its own stream under {@link #linkSsrc}. */
    private final PacketBuffer repairScratch = PacketBuffer.allocate();
    private int repairSequence = ThreadLocalRandom.current().nextInt(0x10000);
    /** The peer's link SSRC (its announcements' sender), which its repairs come on; -1 until known. */
    private volatile long peerLinkSsrc = -1;
    /** RTCP this relay originates on the link (PLIs, announcements): one SRTCP context, one lock. */
    private final byte[] control = new byte[PacketBuffer.MAX_PACKET];
    private volatile LinkSocket.Link link;
    private final LinkLiveness liveness = new LinkLiveness(System.nanoTime());

    CascadeLink(Conference conference, String peerRelay, RelayContext context) {
        this.conference = conference;
        this.peerRelay = peerRelay;
        this.context = context;
    }

    void attach(LinkSocket.Link link) {
        this.link = link;
    }

    String peerRelay() {
        return peerRelay;
    }

    LinkSocket.Link transport() {
        return link;
    }

    // ---- outwards: local sources to the peer

    /** One packet of a local source (its publisher's receive thread). */
    void forward(byte[] b, int off, int len) {
        LinkSocket.Link l = link;
        if (l != null) {
            l.sendRtp(b, off, len);
        }
    }

    /**
     * A local publisher's SR, passed on so that the peer's receivers keep lip sync (RFC 3550
     * section 6.4.1). Publisher receive thread; the SR's own SSRC keys its SRTCP context.
     */
    void forwardSenderReport(long ssrc, long ntp, long rtpTimestamp, long packets, long octets, PacketBuffer scratch) {
        LinkSocket.Link l = link;
        if (l != null) {
            byte[] out = scratch.getBuffer();
            int len = RtcpPacket.writeSenderReport(out, 0, ssrc, ntp, rtpTimestamp, packets, octets);
            l.sendRtcp(out, 0, len);
        }
    }

    /** Tells the peer about every local source (relay timer, and when sources change). */
    void announce(List<Source> local) {
        LinkSocket.Link l = link;
        if (l == null) {
            return;
        }
        synchronized (control) {
            for (Source s : local) {
                int len = SourceAnnouncement.of(s).write(control, 0, linkSsrc, PacketBuffer.MAX_PACKET - 64);
                if (len > 0) {
                    l.sendRtcp(control, 0, len);
                }
            }
        }
    }

    /** Asks the peer for a keyframe of one of its publishers' SSRCs (any thread). */
    void sendPli(long mediaSsrc) {
        LinkSocket.Link l = link;
        if (l == null) {
            return;
        }
        synchronized (control) {
            int len = RtcpPacket.writePli(control, 0, linkSsrc, mediaSsrc);
            if (l.sendRtcp(control, 0, len)) {
                context.metrics().plisSent.increment();
            }
        }
    }

    void schedule(Runnable task, long delayNanos) {
        try {
            context.scheduler().schedule(task, delayNanos, java.util.concurrent.TimeUnit.NANOSECONDS);
        } catch (java.util.concurrent.RejectedExecutionException e) {
            // relay shutting down
        }
    }

    // ---- inwards: the peer's sources to local receivers (the link receive thread)

    @Override
    public void onRtp(byte[] b, int off, int len, long now) {
        liveness.heard(now);
        long ssrc = RtpPacket.ssrc(b, off);
        RelayMetrics metrics = context.metrics();
        boolean repair = ssrc == peerLinkSsrc;
        if (repair) {
            len = restoreRepair(b, off, len);
            if (len < 0) {
                // a repair of nothing this relay asked for (or asked for and already repaired)
                metrics.drop(RelayMetrics.Drop.PADDING_ONLY);
                return;
            }
            ssrc = RtpPacket.ssrc(b, off);
            metrics.linkRepairsReceived.increment();
        }
        RemoteStream in = bySsrc.get(ssrc);
        if (in == null) {
            // not announced yet: the next announcement (at most a tick away) names it
            metrics.drop(RelayMetrics.Drop.UNKNOWN_SSRC);
            return;
        }
        if (!repair && in.missing() != null) {
            int gap = in.missing().onPacket(RtpPacket.sequence(b, off), missingScratch, now);
            if (gap > 0) {
                sendNacks(ssrc, missingScratch, gap);
            }
        }
        Source source = in.source();
        boolean keyframe = source.arrived(in.layer(), b, off, len, now, pictureHeight, metrics);
        if (!source.isVideo()) {
            ((RemotePublisher) source.publisher()).audioArrived(b, off, len, now);
        }
        FanOutBatch.open();
        try {
            for (ForwardedStream sink : source.sinks()) {
                sink.forward(b, off, len, forwardScratch, now, in.layer(), keyframe);
            }
        } finally {
            FanOutBatch.close(metrics);
        }
    }

    @Override
    public void onRtcp(byte[] b, int off, int len, long now) {
        liveness.heard(now);
        int end = off + len;
        for (int i = off; i + 4 <= end;) {
            int plen = RtcpPacket.length(b, i);
            if (plen <= 0 || i + plen > end) {
                return;
            }
            int type = RtcpPacket.type(b, i);
            if (SourceAnnouncement.is(b, i, plen)) {
                peerLinkSsrc = RtcpPacket.senderSsrc(b, i);
                onAnnouncement(SourceAnnouncement.read(b, i, plen), now);
            } else if (type == RtcpPacket.RTPFB && RtcpPacket.countOrFormat(b, i) == RtcpPacket.FMT_NACK
                    && plen >= 16) {
                answerNack(b, i, plen, now);
            } else if (type == RtcpPacket.PSFB && RtcpPacket.countOrFormat(b, i) == RtcpPacket.FMT_PLI && plen >= 12) {
                context.metrics().plisReceived.increment();
                conference.keyframeRequestedOverLink(RtcpPacket.mediaSsrc(b, i));
            } else if (type == RtcpPacket.SR && plen >= 28) {
                onSenderReport(b, i);
            }
            i += plen;
        }
    }

    private void onSenderReport(byte[] b, int at) {
        long ssrc = RtcpPacket.senderSsrc(b, at);
        RemoteStream in = bySsrc.get(ssrc);
        if (in == null) {
            return;
        }
        long ntp = (RtpPacket.u32(b, at + 8) << 32) | RtpPacket.u32(b, at + 12);
        long rtpTs = RtpPacket.u32(b, at + 16);
        for (ForwardedStream sink : in.source().sinks()) {
            sink.sendTranslatedSenderReport(ssrc, ntp, rtpTs, rtcpScratch);
        }
    }

    private void onAnnouncement(SourceAnnouncement a, long now) {
        if (a == null || conference.hasLocalEndpoint(a.publisher())) {
            // malformed, or naming an endpoint of this relay: nothing changes
            return;
        }
        RemotePublisher p = remotes.computeIfAbsent(a.publisher(), id -> new RemotePublisher(id, this));
        boolean[] created = new boolean[1];
        Source s = p.apply(a, now, created);
        for (int i = 0; i < s.layerCount(); i++) {
            long ssrc = s.layer(i).ssrc();
            RemoteStream known = ssrc < 0 ? null : bySsrc.get(ssrc);
            if (ssrc >= 0 && (known == null || known.source() != s || known.layer() != i)) {
                bySsrc.put(ssrc, RemoteStream.of(s, i));
            }
        }
        if (created[0]) {
            bySsrc.values().removeIf(r -> r.source().publisher() == p && r.source().mid().equals(s.mid())
                    && r.source() != s);
            conference.scheduleSourcesChanged();
        }
    }

    // ---- loss on the link

    /**
     * The peer's repair turned back into the packet it carries, in place; its length, or -1 when
     * this relay did not ask for that packet (or has had it since).
     */
    private int restoreRepair(byte[] b, int off, int len) {
        long original = LinkRepairPacket.originalSsrc(b, off, len);
        RemoteStream in = original < 0 ? null : bySsrc.get(original);
        if (in == null || in.missing() == null
                || !in.missing().takeRequested(LinkRepairPacket.originalSequence(b, off, len))) {
            return -1;
        }
        return LinkRepairPacket.unwrap(b, off, len);
    }

    /** Asks the peer for packets of one of its SSRCs that did not cross the link (any thread). */
    private void sendNacks(long mediaSsrc, int[] seqs, int count) {
        LinkSocket.Link l = link;
        if (l == null) {
            return;
        }
        synchronized (control) {
            int len = RtcpPacket.writeNacks(control, 0, linkSsrc, mediaSsrc, seqs, count);
            if (l.sendRtcp(control, 0, len)) {
                context.metrics().linkNacksSent.increment();
            }
        }
    }

    /**
     * A receiver of this relay NACKed a packet of a remote source that is not in the cache: asked
     * for again over the link unless it was asked for lately (the repair may be on its way) or too
     * often (given up). Receivers' subscriber threads.
     */
    void packetMissing(long ssrc, int sequence, long now) {
        RemoteStream in = bySsrc.get(ssrc);
        if (in == null || in.missing() == null || !in.missing().askAgain(sequence, now, ASK_AGAIN_NANOS)) {
            return;
        }
        LinkSocket.Link l = link;
        if (l == null) {
            return;
        }
        synchronized (control) {
            int len = RtcpPacket.writeNack(control, 0, linkSsrc, ssrc, sequence, 0);
            if (l.sendRtcp(control, 0, len)) {
                context.metrics().linkNacksSent.increment();
            }
        }
    }

    /**
     * The peer lost packets of a local source on the link: each one still in this relay's cache is
     * resent on this relay's repair stream. Link receive thread (the repair stream's only sender).
     */
    private void answerNack(byte[] b, int at, int plen, long now) {
        LinkSocket.Link l = link;
        long mediaSsrc = RtcpPacket.mediaSsrc(b, at);
        Source source = l == null ? null : conference.localSourceOfSsrc(mediaSsrc);
        int index = source == null ? -1 : source.layerOfSsrc(mediaSsrc);
        if (index < 0) {
            return;
        }
        Layer layer = source.layer(index);
        int count = RtcpPacket.nackedSequences(b, at, plen, nackedScratch);
        byte[] out = repairScratch.getBuffer();
        for (int i = 0; i < count; i++) {
            int len = layer.cache().copy(nackedScratch[i], out, now);
            if (len < 0 || RtpPacket.ssrc(out, 0) != mediaSsrc) {
                continue;
            }
            len = LinkRepairPacket.wrap(out, len, linkSsrc, repairSequence);
            if (len > 0 && l.sendRtp(out, 0, len)) {
                repairSequence = (repairSequence + 1) & 0xFFFF;
                context.metrics().linkRepairsSent.increment();
            }
        }
    }

    // ---- relay timer

    /** Announces the local sources and withdraws remote ones no longer announced. */
    void tick(List<Source> local, long now) {
        announce(local);
        sendKeepalive();
        if (liveness.check(now)) {
            context.metrics().linkDowns.increment();
            LOG.warn("link of conference {} to relay {} is down: nothing heard for {} ms", conference.id(), peerRelay,
                    liveness.silentMillis(now));
        }
        boolean changed = false;
        for (RemotePublisher p : List.copyOf(remotes.values())) {
            List<Source> gone = p.forgetSilent(now - FORGET_AFTER_NANOS);
            if (!gone.isEmpty()) {
                changed = true;
                bySsrc.values().removeIf(r -> gone.contains(r.source()));
            }
            if (p.isEmpty()) {
                remotes.remove(p.id(), p);
            }
        }
        if (changed) {
            conference.sourcesChanged();
        }
    }

    /**
     * An empty receiver report (RFC 3550 section 6.4.2, no report blocks) every tick, so that the
     * peer hears this relay even when it has no source to announce ({@link LinkLiveness}).
     */
    private void sendKeepalive() {
        LinkSocket.Link l = link;
        if (l == null) {
            return;
        }
        synchronized (control) {
            int len = RtcpPacket.writeReceiverReportHeader(control, 0, linkSsrc, 0);
            l.sendRtcp(control, 0, len);
        }
    }

    /** The link as the conference's stats show it. */
    ConferenceStats.LinkStats stats(long now) {
        return new ConferenceStats.LinkStats(peerRelay, liveness.up(), liveness.silentMillis(now), liveness.downs());
    }

    /** The peer's sources, as this relay's receivers get them. */
    List<RemotePublisher> remotePublishers() {
        return List.copyOf(remotes.values());
    }

    void close() {
        LinkSocket.Link l = link;
        if (l != null) {
            l.close();
        }
        remotes.clear();
        bySsrc.clear();
    }
}
