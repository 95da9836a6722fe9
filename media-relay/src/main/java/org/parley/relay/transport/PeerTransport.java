package org.parley.relay.transport;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.util.List;
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

    private final String name;
    private final IceTransport ice;
    private final DtlsTransport dtls;
    private final boolean dtlsServer;
    private final RelayMetrics metrics;
    private final Handler handler;
    private final PacketBuffer view = new PacketBuffer(null, 0, 0);
    private volatile SrtpTransformer srtp;
    private volatile IceProcessingState iceState;
    private volatile long lastReceiveNanos = System.nanoTime();
    private volatile boolean closed;

    public PeerTransport(String name, List<CandidateHarvester> harvesters, boolean iceControlling,
            List<String> advertisedIps, BcTlsCrypto crypto, DtlsCertificate certificate, boolean dtlsServer,
            RelayMetrics metrics, Handler handler) throws IOException {
        this.name = name;
        this.dtlsServer = dtlsServer;
        this.metrics = metrics;
        this.handler = handler;
        this.ice = new IceTransport(name, harvesters, iceControlling, advertisedIps, this::onIceState);
        this.dtls = new DtlsTransport(crypto, certificate, dtlsServer, ice::send);
        metrics.iceStateChanged(null, IceProcessingState.WAITING);
        iceState = IceProcessingState.WAITING;
    }

    private void onIceState(IceProcessingState state) {
        IceProcessingState old = iceState;
        iceState = state;
        if (!closed) {
            metrics.iceStateChanged(old, state);
        }
        if (state == IceProcessingState.COMPLETED && !dtlsServer) {
            startDtls();
        }
        LOG.debug("{}: ICE {}", name, state);
        if (state == IceProcessingState.FAILED && !closed) {
            handler.onFailed("ICE failed");
        }
    }

    public IceTransport ice() {
        return ice;
    }

    public String name() {
        return name;
    }

    /** Applies the peer's SDP transport facts; the first call starts ICE (and the DTLS server). */
    public void setRemote(String ufrag, String password, String fingerprint, List<String> candidates) {
        ice.setRemoteCredentials(ufrag, password);
        dtls.setRemoteFingerprint(fingerprint);
        for (String c : candidates) {
            ice.addRemoteCandidate(c);
        }
        if (!ice.isStarted()) {
            ice.start(this::onPacket);
            if (dtlsServer) {
                startDtls();
            }
        }
    }

    public boolean addRemoteCandidate(String candidate) {
        return ice.addRemoteCandidate(candidate);
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

    private void onPacket(byte[] b, int off, int len, SocketAddress from) {
        long now = System.nanoTime();
        lastReceiveNanos = now;
        PacketKind kind = PacketKind.of(b, off, len);
        switch (kind) {
            case DTLS -> {
                if (!dtls.receive(b, off, len)) {
                    metrics.drop(Drop.DTLS_QUEUE_FULL);
                }
            }
            case RTP, RTCP -> onMedia(kind, b, off, len, from, now);
            default -> metrics.drop(Drop.UNKNOWN_KIND);
        }
    }

    private void onMedia(PacketKind kind, byte[] b, int off, int len, SocketAddress from, long now) {
        SrtpTransformer keys = srtp;
        if (keys == null) {
            metrics.drop(Drop.NOT_CONNECTED);
            return;
        }
        SocketAddress selected = ice.remoteAddress();
        if (selected instanceof InetSocketAddress && from != null && !selected.equals(from)
                && ice.selectedTransportIsUdp()) {
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
     * Encrypts a plaintext RTP packet in place and sends it. The buffer must have
     * {@link PacketBuffer#TAIL_ROOM} spare bytes and belong to the calling thread.
     */
    public boolean sendRtp(PacketBuffer packet) {
        SrtpTransformer keys = srtp;
        if (keys == null || closed) {
            return false;
        }
        if (!keys.protectRtp(packet)) {
            metrics.drop(Drop.SEND_FAILED);
            return false;
        }
        return send(packet);
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
        if (send(packet)) {
            metrics.rtcpPacketsOut.increment();
            return true;
        }
        return false;
    }

    /** Sends bytes as they are, bypassing SRTP (test clients probing the relay's defences). */
    public boolean sendRaw(byte[] b, int off, int len) {
        return send(new PacketBuffer(b, off, len));
    }

    /** The SRTP keys once DTLS is done, else null. */
    public SrtpTransformer srtp() {
        return srtp;
    }

    private boolean send(PacketBuffer packet) {
        try {
            ice.send(packet.getBuffer(), packet.getOffset(), packet.getLength());
            return true;
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
        dtls.close();
        ice.close();
        SrtpTransformer keys = srtp;
        if (keys != null) {
            keys.close();
        }
    }
}
