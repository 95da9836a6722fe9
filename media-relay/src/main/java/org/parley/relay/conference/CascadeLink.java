package org.parley.relay.conference;

import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ThreadLocalRandom;
import org.parley.relay.RelayMetrics;
import org.parley.relay.cascade.LinkSocket;
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
 * <p>Links form a full mesh: what arrives over a link is forwarded to local receivers only, never
 * onto another link.
 */
final class CascadeLink implements LinkSocket.Receiver {

    /** A remote source not announced for this long is withdrawn (announcements every tick, 500 ms). */
    static final long FORGET_AFTER_NANOS = 2_500_000_000L;

    /** A remote SSRC: which source and layer it feeds. */
    private record RemoteStream(Source source, int layer) {
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
    /** RTCP this relay originates on the link (PLIs, announcements): one SRTCP context, one lock. */
    private final byte[] control = new byte[PacketBuffer.MAX_PACKET];
    private volatile LinkSocket.Link link;

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
        RemoteStream in = bySsrc.get(RtpPacket.ssrc(b, off));
        RelayMetrics metrics = context.metrics();
        if (in == null) {
            // not announced yet: the next announcement (at most a tick away) names it
            metrics.drop(RelayMetrics.Drop.UNKNOWN_SSRC);
            return;
        }
        Source source = in.source();
        boolean keyframe = source.arrived(in.layer(), b, off, len, now, pictureHeight, metrics);
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
        int end = off + len;
        for (int i = off; i + 4 <= end;) {
            int plen = RtcpPacket.length(b, i);
            if (plen <= 0 || i + plen > end) {
                return;
            }
            int type = RtcpPacket.type(b, i);
            if (SourceAnnouncement.is(b, i, plen)) {
                onAnnouncement(SourceAnnouncement.read(b, i, plen), now);
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
                bySsrc.put(ssrc, new RemoteStream(s, i));
            }
        }
        if (created[0]) {
            bySsrc.values().removeIf(r -> r.source().publisher() == p && r.source().mid().equals(s.mid())
                    && r.source() != s);
            conference.scheduleSourcesChanged();
        }
    }

    // ---- relay timer

    /** Announces the local sources and withdraws remote ones no longer announced. */
    void tick(List<Source> local, long now) {
        announce(local);
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
