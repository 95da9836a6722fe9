package org.parley.relay.client;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.io.IOException;
import java.net.InetAddress;
import java.security.SecureRandom;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.bouncycastle.tls.crypto.impl.bc.BcTlsCrypto;
import org.parley.relay.Ice4jSettings;
import org.parley.relay.RelayMetrics;
import org.parley.relay.rtp.ReceiveStatistics;
import org.parley.relay.rtp.RtcpPacket;
import org.parley.relay.rtp.RtpPacket;
import org.parley.relay.sdp.LocalTransport;
import org.parley.relay.sdp.MediaSection;
import org.parley.relay.sdp.SessionDescription;
import org.parley.relay.transport.DtlsCertificate;
import org.parley.relay.transport.PacketBuffer;
import org.parley.relay.transport.PeerTransport;
import org.parley.relay.transport.SendKind;

/**
 * A WebRTC client of the relay in plain Java, for tests and load tests: full ICE (controlling)
 * from one loopback candidate, DTLS client, SRTP, and the same two connections a browser has. It
 * publishes synthetic Opus-like audio and VP8-framed video and records what it receives.
 */
public final class RelayTestClient implements AutoCloseable {

    static {
        Ice4jSettings.apply();
    }

    private final String name;
    private final BcTlsCrypto crypto = new BcTlsCrypto(new SecureRandom());
    private final DtlsCertificate certificate = DtlsCertificate.generate(crypto);
    private final RelayMetrics metrics;
    private final PeerTransport publisher;
    private final PeerTransport subscriber;
    private final long audioSsrc = random32();
    private final long videoSsrc = random32();
    private final LinkedBlockingQueue<ReceivedPacket> received = new LinkedBlockingQueue<>();
    private final AtomicInteger plisReceived = new AtomicInteger();
    private final AtomicInteger twccFeedbackReceived = new AtomicInteger();
    private final AtomicInteger nacksReceived = new AtomicInteger();
    private final PacketBuffer sendBuffer = PacketBuffer.allocate();
    private final AtomicInteger transportSeq = new AtomicInteger();
    private int audioSeq = ThreadLocalRandom.current().nextInt(0x10000);
    private int videoSeq = ThreadLocalRandom.current().nextInt(0x10000);
    private long audioTs = random32();
    private long videoTs = random32();
    private volatile boolean keyframeRequested = true;
    private volatile FrameTransform outgoing = FrameTransform.NONE;
    /**
     * The last sent camera packets by sequence number, to answer NACKs (RFC 4588 RTX); slots are
     * reused, so a sender allocates nothing per packet once the ring has filled.
     */
    private final CameraHistory sentVideo = new CameraHistory(random32());
    private boolean loseNextVideoPacket;
    private final AtomicInteger retransmissionsSent = new AtomicInteger();
    private final AtomicLong subscriberConnectedAt = new AtomicLong();
    private volatile SimulcastCamera simulcast;

    public RelayTestClient(String name, InetAddress address) throws IOException {
        this(name, address, new SimpleMeterRegistry());
    }

    public RelayTestClient(String name, InetAddress address, MeterRegistry registry) throws IOException {
        this.name = name;
        this.metrics = new RelayMetrics(registry, () -> 0, () -> 0);
        LoopbackHarvester harvester = new LoopbackHarvester(address);
        this.publisher = new PeerTransport(name + "/pub", List.of(harvester), true, List.of(), crypto, certificate,
                false, metrics, new PublisherHandler());
        this.subscriber = new PeerTransport(name + "/sub", List.of(harvester), true, List.of(), crypto, certificate,
                false, metrics, new SubscriberHandler());
    }

    private static long random32() {
        return ThreadLocalRandom.current().nextLong(1, 0x100000000L);
    }

    public String name() {
        return name;
    }

    public long audioSsrc() {
        return audioSsrc;
    }

    public long videoSsrc() {
        return videoSsrc;
    }

    /** The client's offer on its publisher connection: one Opus and one VP8 (+RTX) section. */
    public String publisherOffer() {
        return ClientSdp.publisherOffer(name, local(publisher), audioSsrc, videoSsrc, sentVideo.rtxSsrc());
    }

    /**
     * The publisher offer with the camera as three simulcast layers (rid-signalled like Chromium,
     * or SSRC-signalled with a=ssrc-group:SIM); send them with {@link #simulcast()}.
     */
    public synchronized String publisherOfferWithSimulcast(boolean ridSignalled) {
        if (simulcast == null) {
            simulcast = new SimulcastCamera(publisher, transportSeq, ridSignalled);
        }
        return ClientSdp.simulcastOffer(name, local(publisher), audioSsrc, simulcast);
    }

    /** The simulcast camera, null until {@link #publisherOfferWithSimulcast} made one. */
    public SimulcastCamera simulcast() {
        return simulcast;
    }

    /** Applies the relay's answer and starts ICE and DTLS on the publisher connection. */
    public void acceptPublisherAnswer(String answer) {
        applyRemote(publisher, SessionDescription.parse(answer));
    }

    /**
     * Restarts ICE on the publisher connection, as {@code pc.restartIce()} does after a network
     * change: a new ICE session on a new local socket; returns the offer with its fresh
     * credentials. Media keeps flowing on the old path until the new one is nominated.
     */
    public String restartPublisherIce() throws IOException {
        publisher.restartIce();
        return publisherOffer();
    }

    /** True while either connection is still moving to a restarted ICE session. */
    public boolean isRestartingIce() {
        return publisher.isRestartingIce() || subscriber.isRestartingIce();
    }

    /** Answers a relay offer on the subscriber connection (accepting everything it offers). */
    public String answerSubscriberOffer(String offer) {
        SessionDescription d = SessionDescription.parse(offer);
        String offeredUfrag = d.attribute(d.media().get(0), "ice-ufrag");
        String knownUfrag = subscriber.ice().remoteUfrag();
        if (knownUfrag != null && !knownUfrag.equals(offeredUfrag)) {
            // The relay restarted ICE: the answer must bring new credentials too (RFC 8839
            // section 4.4.1.1.2).
            try {
                subscriber.restartIce();
            } catch (IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        }
        String answer = ClientSdp.subscriberAnswer(d, local(subscriber));
        applyRemote(subscriber, d);
        return answer;
    }

    private LocalTransport local(PeerTransport t) {
        return new LocalTransport(t.ice().localUfrag(), t.ice().localPassword(), certificate.fingerprint(),
                t.ice().localCandidates());
    }

    private void applyRemote(PeerTransport t, SessionDescription d) {
        MediaSection first = d.media().get(0);
        String ufrag = d.attribute(first, "ice-ufrag");
        String pwd = d.attribute(first, "ice-pwd");
        String fp = d.attribute(first, "fingerprint").split(" ")[1];
        List<String> candidates = first.attributes("candidate").stream().map(c -> "candidate:" + c).toList();
        t.setRemote(ufrag, pwd, fp, candidates);
    }

    public boolean isPublisherConnected() {
        return publisher.isConnected();
    }

    public boolean isSubscriberConnected() {
        return subscriber.isConnected();
    }

    /**
     * Transforms every frame this client sends from now on, before packetization (end-to-end
     * encryption: {@link org.parley.relay.client.e2ee.FrameEncryptor}).
     */
    public void transformOutgoing(FrameTransform transform) {
        this.outgoing = transform;
    }

    /** Sends one 20 ms audio packet whose payload carries {@code marker} (and an audio level). */
    public synchronized boolean sendAudio(byte[] payload, int levelDbov) {
        payload = outgoing.apply(MediaKind.AUDIO, payload);
        byte[] b = sendBuffer.getBuffer();
        int at = header(b, ClientSdp.OPUS_PT, audioSeq, audioTs, audioSsrc, false);
        // Extension block: audio level (1 byte) and transport-wide sequence (2 bytes), RFC 8285.
        at = extensions(b, at, levelDbov);
        System.arraycopy(payload, 0, b, at, payload.length);
        audioSeq = (audioSeq + 1) & 0xFFFF;
        audioTs = (audioTs + 960) & 0xFFFFFFFFL;
        return sendRtp(at + payload.length, SendKind.AUDIO);
    }

    /**
     * Sends one video frame as a single VP8 packet (RFC 7741 descriptor with S=1, PID=0); a
     * keyframe when one was requested by PLI or none was sent yet.
     */
    public synchronized boolean sendVideoFrame(byte[] payload) {
        return sendVideoFrame(payload, key -> new byte[] {0x10});
    }

    /**
     * As {@link #sendVideoFrame(byte[])} with the VP8 payload descriptor {@code descriptor} makes,
     * told whether this frame is a keyframe (e.g. {@link TemporalLayers}).
     */
    public synchronized boolean sendVideoFrame(byte[] payload, java.util.function.Function<Boolean, byte[]> descriptor) {
        boolean key = keyframeRequested;
        keyframeRequested = false;
        byte[] b = sendBuffer.getBuffer();
        int at = header(b, ClientSdp.VP8_PT, videoSeq, videoTs, videoSsrc, true);
        at = extensions(b, at, -1);
        byte[] d = descriptor.apply(key);
        System.arraycopy(d, 0, b, at, d.length);
        at += d.length;
        int len = putVp8Frame(b, at, key, payload);
        sentVideo.remember(b, len);
        videoSeq = (videoSeq + 1) & 0xFFFF;
        videoTs = (videoTs + 3000) & 0xFFFFFFFFL;
        if (loseNextVideoPacket) {
            // as if the network lost it: sequence number used, nothing sent
            loseNextVideoPacket = false;
            return true;
        }
        return sendRtp(len, SendKind.VIDEO);
    }

    /**
     * Writes a VP8 frame at {@code at}: the frame tag, whose bit 0 is P, 0 for a key frame (RFC
     * 6386 9.1), then {@code payload}; transformed whole when a transform is set. Returns the end.
     */
    private int putVp8Frame(byte[] b, int at, boolean key, byte[] payload) {
        byte tag = (byte) (key ? 0x00 : 0x01);
        FrameTransform t = outgoing;
        if (t == FrameTransform.NONE) {
            b[at] = tag;
            System.arraycopy(payload, 0, b, at + 1, payload.length);
            return at + 1 + payload.length;
        }
        byte[] frame = new byte[1 + payload.length];
        frame[0] = tag;
        System.arraycopy(payload, 0, frame, 1, payload.length);
        byte[] sent = t.apply(MediaKind.VIDEO, frame);
        System.arraycopy(sent, 0, b, at, sent.length);
        return at + sent.length;
    }

    /** The next camera packet is built and remembered but not sent, as if the network lost it. */
    public synchronized void loseNextVideoPacket() {
        loseNextVideoPacket = true;
    }

    /** From now on NACKed camera packets are resent only at {@link #releaseRepairs}, as from a slow network. */
    public synchronized void holdRepairs() {
        sentVideo.hold();
    }

    /** Resends what was NACKed since {@link #holdRepairs} and answers NACKs at once again. */
    public synchronized void releaseRepairs() {
        sentVideo.release().forEach(this::resend);
    }

    /** Camera packets resent as RTX because the relay asked for them. */
    public int retransmissionsSent() {
        return retransmissionsSent.get();
    }

    /** Answers a NACK for the camera stream: the named packet, if still kept, goes out again as RTX. */
    private synchronized void resend(int seq) {
        if (sentVideo.holdBack(seq)) {
            return;
        }
        byte[] b = sendBuffer.getBuffer();
        int len = sentVideo.writeRtx(seq, b);
        if (len < 0) {
            return;
        }
        // a fresh transport-wide sequence number: TWCC counts every packet sent once
        RtpPacket.putShort(b, 17, transportSeq.getAndIncrement() & 0xFFFF);
        if (sendRtp(len, SendKind.VIDEO)) {
            retransmissionsSent.incrementAndGet();
        }
    }

    private static int header(byte[] b, int pt, int seq, long ts, long ssrc, boolean marker) {
        b[0] = (byte) 0x90; // V=2, X=1
        b[1] = (byte) ((marker ? 0x80 : 0) | pt);
        RtpPacket.setSequence(b, 0, seq);
        RtpPacket.setTimestamp(b, 0, ts);
        RtpPacket.setSsrc(b, 0, ssrc);
        return 12;
    }

    private int extensions(byte[] b, int at, int levelDbov) {
        RtpPacket.putShort(b, at, RtpPacket.ONE_BYTE_PROFILE);
        RtpPacket.putShort(b, at + 2, 2);
        int i = at + 4;
        b[i++] = (byte) ((ClientSdp.TWCC_ID << 4) | 1);
        RtpPacket.putShort(b, i, transportSeq.getAndIncrement() & 0xFFFF);
        i += 2;
        if (levelDbov >= 0) {
            b[i++] = (byte) (ClientSdp.AUDIO_LEVEL_ID << 4);
            b[i++] = (byte) (0x80 | (levelDbov & 0x7f));
        }
        while (i < at + 12) {
            b[i++] = 0;
        }
        return at + 12;
    }

    private boolean sendRtp(int len, SendKind kind) {
        sendBuffer.setOffset(0);
        sendBuffer.setLength(len);
        return publisher.sendRtp(sendBuffer, kind);
    }

    /** Asks the relay to resend packets of a received stream (generic NACK, RFC 4585 6.2.1). */
    public boolean sendNack(long mediaSsrc, int sequence) {
        PacketBuffer p = PacketBuffer.allocate();
        int len = RtcpPacket.writeNack(p.getBuffer(), 0, 1, mediaSsrc, sequence, 0);
        p.setLength(len);
        return sendSubscriberRtcp(p);
    }

    /** Asks for a keyframe of a received stream (PLI, RFC 4585 6.3.1). */
    public boolean sendPli(long mediaSsrc) {
        PacketBuffer p = PacketBuffer.allocate();
        int len = RtcpPacket.writePli(p.getBuffer(), 0, 1, mediaSsrc);
        p.setLength(len);
        return sendSubscriberRtcp(p);
    }

    /** The publisher transport, for tests that send hostile bytes. */
    public PeerTransport publisherTransport() {
        return publisher;
    }

    /** The next received packet, waiting at most {@code millis}; null on timeout. */
    public ReceivedPacket poll(long millis) throws InterruptedException {
        return received.poll(millis, TimeUnit.MILLISECONDS);
    }

    public int plisReceived() {
        return plisReceived.get();
    }

    public int twccFeedbackReceived() {
        return twccFeedbackReceived.get();
    }

    public int nacksReceived() {
        return nacksReceived.get();
    }

    // Load-tool additions (periodic keyframes, a screen-share source), kept in this one block.

    private final long screenSsrc = random32();
    private int screenSeq = ThreadLocalRandom.current().nextInt(0x10000);
    private long screenTs = random32();
    private volatile boolean screenKeyframeRequested = true;

    public long screenSsrc() {
        return screenSsrc;
    }

    /** Makes the next camera frame a keyframe, as an encoder's periodic keyframe timer does. */
    public void requestKeyframe() {
        keyframeRequested = true;
    }

    /** Makes the next screen-share frame a keyframe. */
    public void requestScreenKeyframe() {
        screenKeyframeRequested = true;
    }

    /**
     * The publisher offer with a third section: a VP8 screen share, marked a=content:slides (RFC
     * 4796), which the relay announces as a screen-share source.
     */
    public String publisherOfferWithScreen() {
        return ClientSdp.withScreenShare(publisherOffer(), name, local(publisher), screenSsrc);
    }

    /** Sends one screen-share frame as a single VP8 packet; a keyframe when requested or first. */
    public synchronized boolean sendScreenFrame(byte[] payload) {
        boolean key = screenKeyframeRequested;
        screenKeyframeRequested = false;
        byte[] b = sendBuffer.getBuffer();
        int at = extensions(b, header(b, ClientSdp.VP8_PT, screenSeq, screenTs, screenSsrc, true), -1);
        b[at] = 0x10;
        int len = putVp8Frame(b, at + 1, key, payload);
        screenSeq = (screenSeq + 1) & 0xFFFF;
        screenTs = (screenTs + 3000) & 0xFFFFFFFFL;
        return sendRtp(len, SendKind.VIDEO);
    }

    /** A PLI or FIR names the source it wants a keyframe of (RFC 4585 6.3.1, RFC 5104 4.3.1). */
    private void keyframeRequested(long mediaSsrc) {
        SimulcastCamera camera = simulcast;
        if (camera != null && camera.onKeyframeRequest(mediaSsrc)) {
            return;
        }
        if (mediaSsrc == screenSsrc) {
            screenKeyframeRequested = true;
        } else {
            keyframeRequested = true;
        }
    }

    // Keep-alive as a browser's: receiver reports about what the subscriber connection receives.

    /** Report blocks per RR: the count field has 5 bits (RFC 3550 section 6.4.2). */
    private static final int MAX_REPORT_BLOCKS = 31;
    private final long receiverSsrc = random32();
    /** Per received SSRC; written by the subscriber's receive thread and the report sender, under its own lock. */
    private final Map<Long, ReceiveStatistics> receptions = new ConcurrentHashMap<>();

    /**
     * Sends an RTCP receiver report on the subscriber connection, one report block per stream
     * received (RFC 3550 section 6.4.2; several RRs of at most 31 blocks when more streams
     * arrive). A browser sends one every second or so for as long as it receives; it is also
     * all that a member who only listens ever sends after DTLS, and the relay expires an
     * endpoint from which nothing has arrived for {@code parley.relay.endpoint-timeout}
     * (ice4j's STUN keep-alives stay inside ice4j). False before the connection is up.
     */
    public boolean sendReceiverReport() {
        if (!subscriber.isConnected()) {
            return false;
        }
        List<ReceiveStatistics> streams = List.copyOf(receptions.values());
        int i = 0;
        boolean sent = false;
        do {
            int blocks = Math.min(MAX_REPORT_BLOCKS, streams.size() - i);
            PacketBuffer p = PacketBuffer.allocate();
            byte[] b = p.getBuffer();
            int len = RtcpPacket.writeReceiverReportHeader(b, 0, receiverSsrc, blocks);
            long now = System.nanoTime();
            for (int k = 0; k < blocks; k++, i++) {
                ReceiveStatistics s = streams.get(i);
                synchronized (s) {
                    len += s.writeReportBlock(b, len, now);
                }
            }
            p.setLength(len);
            sent |= sendSubscriberRtcp(p);
        } while (i < streams.size());
        return sent;
    }

    // Downlink as a browser's: a cap standing for a thin link, and transport-wide feedback.

    private final ReceiveBandwidthCap downlinkCap = new ReceiveBandwidthCap();
    private final DownlinkFeedback downlinkFeedback = new DownlinkFeedback(receiverSsrc, this::sendSubscriberRtcp);
    private final Object subscriberRtcpLock = new Object();

    /**
     * Caps what this client receives at {@code bps} bits per second (0: no cap): packets beyond
     * it are dropped before the client sees them, as on a thin downlink.
     */
    public void capReceiveBandwidth(long bps) {
        downlinkCap.setRate(bps);
    }

    /** Packets the receive cap dropped. */
    public long packetsDroppedByCap() {
        return downlinkCap.dropped();
    }

    /** Transport-wide feedback messages this client sent about what the relay sends it. */
    public int twccFeedbackSent() {
        return downlinkFeedback.sent();
    }

    /** Reports and feedback come from two threads; SRTCP's index must go out in order. */
    private boolean sendSubscriberRtcp(PacketBuffer p) {
        synchronized (subscriberRtcpLock) {
            return subscriber.sendRtcp(p);
        }
    }

    private void noteReception(byte[] b, int off, int len, long nowNanos) {
        long ssrc = RtpPacket.ssrc(b, off);
        ReceiveStatistics s = receptions.computeIfAbsent(ssrc,
                k -> new ReceiveStatistics(k, RtpPacket.payloadType(b, off) == ClientSdp.OPUS_PT ? 48_000 : 90_000));
        synchronized (s) {
            s.onPacket(RtpPacket.sequence(b, off), RtpPacket.timestamp(b, off), nowNanos, len);
        }
    }

    @Override
    public void close() {
        publisher.close();
        subscriber.close();
    }

    /** RTCP the relay sends about what this client publishes. */
    private final class PublisherHandler implements PeerTransport.Handler {
        @Override
        public void onRtp(byte[] b, int off, int len, long nowNanos) {
        }

        @Override
        public void onRtcp(byte[] b, int off, int len, long nowNanos) {
            for (int i = off; i < off + len; i += RtcpPacket.length(b, i)) {
                int type = RtcpPacket.type(b, i);
                int fmt = RtcpPacket.countOrFormat(b, i);
                if (type == RtcpPacket.PSFB && (fmt == RtcpPacket.FMT_PLI || fmt == RtcpPacket.FMT_FIR)) {
                    plisReceived.incrementAndGet();
                    keyframeRequested(fmt == RtcpPacket.FMT_PLI ? RtcpPacket.mediaSsrc(b, i) : RtpPacket.u32(b, i + 12));
                } else if (type == RtcpPacket.RTPFB && fmt == RtcpPacket.FMT_TWCC) {
                    twccFeedbackReceived.incrementAndGet();
                } else if (type == RtcpPacket.RTPFB && fmt == RtcpPacket.FMT_NACK) {
                    nacksReceived.incrementAndGet();
                    SimulcastCamera camera = simulcast;
                    if (camera != null) {
                        long media = RtcpPacket.mediaSsrc(b, i);
                        for (int fci = i + 12; fci + 4 <= i + RtcpPacket.length(b, i); fci += 4) {
                            camera.resend(media, RtpPacket.u16(b, fci));
                        }
                    }
                    if (RtcpPacket.mediaSsrc(b, i) == videoSsrc) {
                        // FCI entries from byte 12: PID and a bitmask of the 16 after it
                        for (int fci = i + 12; fci + 4 <= i + RtcpPacket.length(b, i); fci += 4) {
                            int pid = RtpPacket.u16(b, fci);
                            int blp = RtpPacket.u16(b, fci + 2);
                            resend(pid);
                            for (int k = 0; k < 16; k++) {
                                if ((blp & (1 << k)) != 0) {
                                    resend((pid + k + 1) & 0xFFFF);
                                }
                            }
                        }
                    }
                }
            }
        }
    }

    /** Media the relay forwards to this client. */
    private final class SubscriberHandler implements PeerTransport.Handler {
        @Override
        public void onRtp(byte[] b, int off, int len, long nowNanos) {
            long arrivedNanos = downlinkCap.arrival(len, nowNanos);
            if (arrivedNanos < 0) {
                return;
            }
            downlinkFeedback.onPacket(b, off, len, arrivedNanos, nowNanos);
            int header = RtpPacket.headerLength(b, off, len);
            int payloadLen = RtpPacket.payloadLength(b, off, len);
            if (payloadLen <= 0) {
                return; // padding only (a bandwidth probe): counted for feedback, nothing to play
            }
            byte[] payload = new byte[Math.max(0, payloadLen)];
            System.arraycopy(b, off + header, payload, 0, payload.length);
            received.add(new ReceivedPacket(RtpPacket.ssrc(b, off), RtpPacket.sequence(b, off),
                    RtpPacket.timestamp(b, off), RtpPacket.payloadType(b, off), payload, arrivedNanos));
            noteReception(b, off, len, arrivedNanos);
        }

        @Override
        public void onRtcp(byte[] b, int off, int len, long nowNanos) {
        }

        @Override
        public void onConnected() {
            subscriberConnectedAt.set(System.nanoTime());
        }
    }
}
