package org.parley.relay.transport;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.bouncycastle.tls.crypto.impl.bc.BcTlsCrypto;
import org.ice4j.ice.IceProcessingState;
import org.ice4j.ice.harvest.CandidateHarvester;
import org.parley.relay.RelayMetrics;
import org.parley.relay.RelayMetrics.Drop;
import org.parley.relay.rtp.PacketKind;
import org.parley.relay.rtp.RtcpPacket;
import org.parley.relay.rtp.RtpPacket;

/**
 * One WebRTC transport: ICE, then DTLS-SRTP on the selected pair, with datagrams told apart by
 * their first byte (RFC 7983). Hands decrypted RTP and RTCP to a {@link Handler} on the receive
 * thread; anything malformed, unauthenticated, replayed or early is dropped and counted.
 */
public final class PeerTransport implements AutoCloseable {

    /** Receives decrypted media of this transport; the arrays are reused after each call. */
    public interface Handler {
        void onRtp(byte[] b, int off, int len, long nowNanos);

        void onRtcp(byte[] b, int off, int len, long nowNanos);

        /** DTLS finished: SRTP keys are in place and media can be sent. */
        default void onConnected() {
        }

        default void onFailed(String reason) {
        }
    }

    private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(PeerTransport.class);

    /** How long a replaced ICE session keeps receiving what was already on its way. */
    private static final long HANDOVER_GRACE_MILLIS = 1000;
    private static final long THREAD_STOP_TIMEOUT_MILLIS = 1000;
    /**
     * How long a DTLS flight waits for a valid ICE pair: the peer's first flight can arrive before
     * the relay's own check of its path succeeded (see CheckedAddresses); that check is a round
     * trip and a few of ice4j's retransmissions away at most.
     */
    private static final long DTLS_PATH_WAIT_MILLIS = 10_000;

    private final String name;
    private final List<CandidateHarvester> harvesters;
    private final boolean iceControlling;
    private final List<String> advertisedIps;
    private final DtlsTransport dtls;
    /** The ICE session media flows on. */
    private volatile IceTransport ice;
    /** The session an ICE restart is building, until its first pair is nominated. */
    private volatile IceTransport restarting;
    /** The session a restart replaced, still receiving for {@link #HANDOVER_GRACE_MILLIS}. */
    private volatile IceTransport retiring;
    /**
     * True while two sessions may deliver packets: both receive threads then take
     * {@link #handoverLock}, so the handler never runs on two threads at once. Otherwise the one
     * current receive thread runs it without a lock, marking itself busy in {@link #inHandler}.
     */
    private volatile boolean handover;
    private volatile boolean inHandler;
    private final Object handoverLock = new Object();
    private int restarts;
    private final boolean dtlsServer;
    private final RelayMetrics metrics;
    private final Handler handler;
    private final PacketBuffer view = new PacketBuffer(null, 0, 0);
    /** The relay's per-peer send queue; null on clients, which write on the calling thread. */
    private final SendQueue sendQueue;
    private volatile SrtpTransformer srtp;
    private volatile IceProcessingState iceState;
    private volatile long lastReceiveNanos = System.nanoTime();
    private volatile boolean closed;

    /** A transport that writes every packet on the calling thread (test and load clients). */
    public PeerTransport(String name, List<CandidateHarvester> harvesters, boolean iceControlling,
            List<String> advertisedIps, BcTlsCrypto crypto, DtlsCertificate certificate, boolean dtlsServer,
            RelayMetrics metrics, Handler handler) throws IOException {
        this(name, harvesters, iceControlling, advertisedIps, crypto, certificate, dtlsServer, metrics, handler, null);
    }

    /**
     * @param sendPool drains this peer's bounded send queue (see {@link SendQueue}); null writes
     *        every packet on the calling thread
     */
    public PeerTransport(String name, List<CandidateHarvester> harvesters, boolean iceControlling,
            List<String> advertisedIps, BcTlsCrypto crypto, DtlsCertificate certificate, boolean dtlsServer,
            RelayMetrics metrics, Handler handler, SendPool sendPool) throws IOException {
        this.name = name;
        this.harvesters = List.copyOf(harvesters);
        this.iceControlling = iceControlling;
        this.advertisedIps = List.copyOf(advertisedIps);
        this.dtlsServer = dtlsServer;
        this.metrics = metrics;
        this.handler = handler;
        this.ice = new IceTransport(name, harvesters, iceControlling, advertisedIps, this::onIceState);
        // DTLS always talks over whichever ICE session is current (it survives ICE restarts).
        this.dtls = new DtlsTransport(crypto, certificate, dtlsServer, this::sendDtls);
        this.sendQueue = sendPool == null ? null : sendPool.newQueue((b, o, l) -> this.ice.send(b, o, l), metrics);
        metrics.iceStateChanged(null, IceProcessingState.WAITING);
        iceState = IceProcessingState.WAITING;
    }

    private void onIceState(IceTransport source, IceProcessingState state) {
        if (source == restarting) {
            onRestartState(source, state);
            return;
        }
        if (source != ice) {
            return; // a session an ICE restart replaced
        }
        IceProcessingState old = iceState;
        iceState = state;
        if (!closed) {
            metrics.iceStateChanged(old, state);
        }
        if (state == IceProcessingState.COMPLETED && !dtlsServer) {
            startDtls();
        }
        LOG.debug("{}: ICE {}", name, state);
        if (state == IceProcessingState.FAILED && !closed && restarting == null) {
            // While a restart is under way the old path failing is expected (the peer moved).
            handler.onFailed("ICE failed");
        }
    }

    private void onRestartState(IceTransport next, IceProcessingState state) {
        LOG.debug("{}: ICE restart {}", name, state);
        if ((state == IceProcessingState.COMPLETED || state == IceProcessingState.TERMINATED)
                && next.hasSelectedPair()) {
            promote(next);
        } else if (state == IceProcessingState.FAILED) {
            synchronized (this) {
                if (restarting != next) {
                    return;
                }
                restarting = null;
            }
            next.closeAndAwait(THREAD_STOP_TIMEOUT_MILLIS);
            setRetired(ice, false); // the old session stays: it may take new addresses again
            synchronized (this) {
                handover = retiring != null || (restarting != null && restarting.isStarted());
            }
            if (!closed) {
                handler.onFailed("ICE restart failed");
            }
        }
    }

    /**
     * The ICE session being negotiated: the restarting one during an ICE restart, else the
     * current one. Its credentials and candidates are what the next SDP must carry.
     */
    public IceTransport ice() {
        IceTransport next = restarting;
        return next != null ? next : ice;
    }

    public String name() {
        return name;
    }

    /**
     * Starts an ICE restart (RFC 8445 section 9): a new ICE session with fresh local credentials
     * on the same harvesters (so the relay keeps its single UDP port), negotiated beside the
     * current one, which carries media until the new session nominates a pair. DTLS and SRTP are
     * kept (RFC 8842 section 4). Calling it again before the peer's credentials arrived keeps the
     * pending session.
     */
    public synchronized void restartIce() throws IOException {
        if (closed) {
            throw new IOException("transport " + name + " closed");
        }
        IceTransport pending = restarting;
        if (pending != null && !pending.isStarted()) {
            return;
        }
        restarting = new IceTransport(name + "/r" + (++restarts), harvesters, iceControlling, advertisedIps,
                this::onIceState);
        // The peer may already ping from its new sockets with the old credentials: those
        // addresses must go to the new session, so the old one keeps only its selected pair.
        setRetired(ice, true);
        ice.releaseUnselectedAddresses();
        if (pending != null) {
            pending.close();
        }
    }

    /** The DTLS fingerprint the peer's SDP gave, null before any. */
    public String remoteFingerprint() {
        return dtls.remoteFingerprint();
    }

    /** True while an ICE restart is negotiating and media still uses the previous session. */
    public boolean isRestartingIce() {
        return restarting != null;
    }

    /**
     * Applies the peer's SDP transport facts; the first call starts ICE (and the DTLS server). New
     * remote credentials are only accepted for a session {@link #restartIce()} created, and the
     * DTLS fingerprint must stay the same, since the DTLS association is kept.
     *
     * @throws IllegalArgumentException for new credentials without a restart, or a new fingerprint
     */
    public synchronized void setRemote(String ufrag, String password, String fingerprint, List<String> candidates) {
        IceTransport target = ice();
        String known = dtls.remoteFingerprint();
        if (target.isStarted() && !ufrag.equals(target.remoteUfrag())) {
            throw new IllegalArgumentException("new remote ICE credentials without an ICE restart");
        }
        if (known != null && !known.equalsIgnoreCase(fingerprint)) {
            // RFC 8842 section 4: a changed fingerprint needs a new DTLS association, which a
            // transport does not do; the endpoint must be allocated again.
            throw new IllegalArgumentException("the DTLS fingerprint changed");
        }
        target.setRemoteCredentials(ufrag, password);
        if (known == null) {
            dtls.setRemoteFingerprint(fingerprint);
        }
        for (String c : candidates) {
            target.addRemoteCandidate(c);
        }
        if (!target.isStarted()) {
            if (target != ice) {
                // From now on packets may come from both sessions: the peer can send on the new
                // pair as soon as it is nominated on its side, before ours says so.
                beginHandover();
            }
            target.start((b, off, len, from) -> onPacket(target, b, off, len, from));
            if (dtlsServer && target == ice) {
                startDtls();
            }
        }
    }

    /**
     * Makes a restarted session the one media is sent on, once it has nominated a pair. The old
     * session keeps receiving for a grace period (packets already in flight on the old path), with
     * both receive threads serialised meanwhile; then it is closed.
     */
    private void promote(IceTransport next) {
        IceTransport old;
        IceTransport older;
        synchronized (this) {
            if (restarting != next || closed) {
                return;
            }
            beginHandover();
            older = retiring;
            old = ice;
            retiring = old;
            ice = next;
            restarting = null;
        }
        if (older != null) {
            older.closeAndAwait(THREAD_STOP_TIMEOUT_MILLIS);
        }
        IceProcessingState previous = iceState;
        iceState = IceProcessingState.COMPLETED;
        metrics.iceStateChanged(previous, IceProcessingState.COMPLETED);
        metrics.iceRestarts.increment();
        LOG.debug("{}: ICE restart done, media moves to the new session", name);
        CompletableFuture.delayedExecutor(HANDOVER_GRACE_MILLIS, TimeUnit.MILLISECONDS).execute(() -> retire(old));
    }

    /**
     * Makes every receive thread take {@link #handoverLock}: sets the flag, then waits for the
     * current receive thread to leave an unlocked handler call (a Dekker-style pair of volatile
     * flags: either it sees {@code handover} or this sees {@code inHandler}).
     */
    private synchronized void beginHandover() {
        handover = true;
        long deadline = System.nanoTime() + THREAD_STOP_TIMEOUT_MILLIS * 1_000_000L;
        while (inHandler && System.nanoTime() < deadline) {
            Thread.onSpinWait();
        }
    }

    private void setRetired(IceTransport session, boolean retired) {
        for (CandidateHarvester h : harvesters) {
            if (h instanceof SharedUdpPortHarvester shared) {
                shared.setRetired(session.localUfrag(), retired);
            }
        }
    }

    /** Ends the grace period of a replaced session: close it, wait for its thread, drop the lock. */
    private void retire(IceTransport old) {
        boolean stopped = old.closeAndAwait(THREAD_STOP_TIMEOUT_MILLIS);
        setRetired(old, false);
        if (!stopped) {
            LOG.warn("{}: a replaced ICE session's receive thread did not stop in time", name);
            return; // keep the lock-protected path: it still might deliver
        }
        synchronized (this) {
            if (retiring == old) {
                retiring = null;
                handover = restarting != null && restarting.isStarted();
            }
        }
    }

    /**
     * A trickled remote candidate. During an ICE restart it belongs to the new session, unless
     * its {@code ufrag} extension (RFC 8839 section 5.1) names the old session's credentials.
     */
    public boolean addRemoteCandidate(String candidate) {
        IceTransport current = ice;
        IceTransport target = ice();
        if (target != current) {
            String ufrag = candidateUfrag(candidate);
            if (ufrag != null && ufrag.equals(current.remoteUfrag())) {
                target = current;
            }
        }
        return target.addRemoteCandidate(candidate);
    }

    private static String candidateUfrag(String candidate) {
        String[] f = candidate.trim().split(" ");
        for (int i = 0; i + 1 < f.length; i++) {
            if (f[i].equals("ufrag")) {
                return f[i + 1];
            }
        }
        return null;
    }

    /** Sends a DTLS flight (on the DTLS thread) once the current ICE session has a path for it. */
    private boolean sendDtls(byte[] b, int off, int len) throws IOException {
        IceTransport session = ice;
        if (!session.awaitValidPair(DTLS_PATH_WAIT_MILLIS)) {
            throw new IOException("no valid ICE pair to send DTLS on within " + DTLS_PATH_WAIT_MILLIS + " ms");
        }
        // A record lost to a full send buffer is retransmitted by DTLS (RFC 6347 section 4.2.4).
        return session.send(b, off, len);
    }

    private void startDtls() {
        dtls.start(name, keys -> {
            srtp = keys;
            LOG.debug("{}: DTLS-SRTP up with {}", name, keys.profile());
            handler.onConnected();
        }, e -> {
            LOG.warn("{}: DTLS handshake failed", name, e);
            metrics.dtlsFailures.increment();
            handler.onFailed("DTLS failed: " + e.getMessage());
        });
    }

    /** True once SRTP keys exist: media can flow. */
    public boolean isConnected() {
        return srtp != null && !closed;
    }

    public SrtpProfile srtpProfile() {
        SrtpTransformer t = srtp;
        return t == null ? null : t.profile();
    }

    public IceProcessingState iceState() {
        return iceState;
    }

    public long lastReceiveNanos() {
        return lastReceiveNanos;
    }

    private void onPacket(IceTransport source, byte[] b, int off, int len, SocketAddress from) {
        if (source == ice && !handover) {
            inHandler = true;
            if (!handover) {
                dispatch(source, b, off, len, from);
                inHandler = false;
                return;
            }
            inHandler = false;
        }
        if (source == restarting && source.hasSelectedPair()) {
            // The peer already sends on the restarted session's pair (it is nominated on the
            // peer's side): take it over now rather than waiting for the state event.
            promote(source);
        }
        // Media from a restarting session before its pair is nominated here is still the peer's:
        // SRTP authentication proves it (the keys are the ones DTLS made on the old path).
        if (source == ice || source == retiring || source == restarting) {
            synchronized (handoverLock) {
                dispatch(source, b, off, len, from);
            }
        } else {
            metrics.drop(Drop.ICE_RESTARTING);
        }
    }

    private void dispatch(IceTransport source, byte[] b, int off, int len, SocketAddress from) {
        long now = System.nanoTime();
        lastReceiveNanos = now;
        PacketKind kind = PacketKind.of(b, off, len);
        switch (kind) {
            case DTLS -> {
                if (!dtls.receive(b, off, len)) {
                    metrics.drop(Drop.DTLS_QUEUE_FULL);
                }
            }
            case RTP, RTCP -> onMedia(source, kind, b, off, len, from, now);
            default -> metrics.drop(Drop.UNKNOWN_KIND);
        }
    }

    private void onMedia(IceTransport source, PacketKind kind, byte[] b, int off, int len, SocketAddress from,
            long now) {
        SrtpTransformer keys = srtp;
        if (keys == null) {
            metrics.drop(Drop.NOT_CONNECTED);
            return;
        }
        // Media only from the pair ICE selected in the session it arrived on (RFC 8445 section 11).
        SocketAddress selected = source.remoteAddress();
        if (selected instanceof InetSocketAddress && from != null && !selected.equals(from)
                && source.selectedTransportIsUdp()) {
            metrics.drop(Drop.UNKNOWN_ADDRESS);
            return;
        }
        view.set(b, off, len);
        if (kind == PacketKind.RTP) {
            if (!RtpPacket.isValid(b, off, len)) {
                metrics.drop(Drop.MALFORMED);
                return;
            }
            SrtpTransformer.Result r = keys.unprotectRtp(view);
            if (r != SrtpTransformer.Result.OK) {
                metrics.drop(dropOf(r));
                return;
            }
            if (!RtpPacket.isValid(view.getBuffer(), view.getOffset(), view.getLength())) {
                metrics.drop(Drop.MALFORMED);
                return;
            }
            handler.onRtp(view.getBuffer(), view.getOffset(), view.getLength(), now);
        } else {
            SrtpTransformer.Result r = keys.unprotectRtcp(view);
            if (r != SrtpTransformer.Result.OK) {
                metrics.drop(dropOf(r));
                return;
            }
            if (!RtcpPacket.isValidCompound(view.getBuffer(), view.getOffset(), view.getLength())) {
                metrics.drop(Drop.MALFORMED);
                return;
            }
            metrics.rtcpPacketsIn.increment();
            handler.onRtcp(view.getBuffer(), view.getOffset(), view.getLength(), now);
        }
    }

    private static Drop dropOf(SrtpTransformer.Result r) {
        return switch (r) {
            case AUTH_FAIL -> Drop.SRTP_AUTH;
            case REPLAY -> Drop.SRTP_REPLAY;
            default -> Drop.SRTP_INVALID;
        };
    }

    /**
     * Encrypts a plaintext RTP packet in place and sends it (or queues a copy, see
     * {@link SendQueue}). The buffer must have {@link PacketBuffer#TAIL_ROOM} spare bytes and
     * belong to the calling thread; it is free again on return.
     *
     * @param kind what the packet carries: decides what a full send queue drops first
     */
    public boolean sendRtp(PacketBuffer packet, SendKind kind) {
        SrtpTransformer keys = srtp;
        if (keys == null || closed) {
            return false;
        }
        if (!keys.protectRtp(packet)) {
            metrics.drop(Drop.SEND_FAILED);
            return false;
        }
        return send(packet, kind);
    }

    /** Encrypts a plaintext RTCP packet in place and sends it (same buffer rules as RTP). */
    public boolean sendRtcp(PacketBuffer packet) {
        SrtpTransformer keys = srtp;
        if (keys == null || closed) {
            return false;
        }
        if (!keys.protectRtcp(packet)) {
            metrics.drop(Drop.SEND_FAILED);
            return false;
        }
        if (send(packet, SendKind.RTCP)) {
            metrics.rtcpPacketsOut.increment();
            return true;
        }
        return false;
    }

    /** Sends bytes as they are, bypassing SRTP (test clients probing the relay's defences). */
    public boolean sendRaw(byte[] b, int off, int len) {
        return send(new PacketBuffer(b, off, len), SendKind.RTCP);
    }

    /** The SRTP keys once DTLS is done, else null. */
    public SrtpTransformer srtp() {
        return srtp;
    }

    private boolean send(PacketBuffer packet, SendKind kind) {
        SendQueue queue = sendQueue;
        if (queue != null) {
            // An ICE-TCP write may block for as long as the peer does not read: queued, so only
            // this peer's drain task waits for it.
            return queue.send(packet.getBuffer(), packet.getOffset(), packet.getLength(), kind,
                    ice.selectedTransportIsUdp());
        }
        try {
            if (ice.send(packet.getBuffer(), packet.getOffset(), packet.getLength())) {
                return true;
            }
            metrics.drop(Drop.SEND_FAILED);
            return false;
        } catch (IOException | RuntimeException e) {
            metrics.drop(Drop.SEND_FAILED);
            return false;
        }
    }

    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        metrics.iceStateChanged(iceState, null);
        if (sendQueue != null) {
            sendQueue.close();
        }
        dtls.close();
        ice.close();
        setRetired(ice, false);
        IceTransport pending = restarting;
        if (pending != null) {
            pending.close();
        }
        IceTransport old = retiring;
        if (old != null) {
            old.close();
        }
        SrtpTransformer keys = srtp;
        if (keys != null) {
            keys.close();
        }
    }
}
