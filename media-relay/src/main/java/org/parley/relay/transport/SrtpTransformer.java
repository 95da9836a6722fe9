package org.parley.relay.transport;

import java.security.GeneralSecurityException;
import java.util.concurrent.ConcurrentHashMap;
import org.jitsi.srtp.SrtcpCryptoContext;
import org.jitsi.srtp.SrtpContextFactory;
import org.jitsi.srtp.SrtpCryptoContext;
import org.jitsi.srtp.SrtpErrorStatus;
import org.jitsi.utils.logging2.Logger;
import org.jitsi.utils.logging2.LoggerImpl;

/**
 * SRTP/SRTCP protection for one DTLS-SRTP association (RFC 5764 section 4.2): keys come from the
 * DTLS exporter, one crypto context per SSRC and direction, derived on first use.
 */
public final class SrtpTransformer implements AutoCloseable {

    /** The outcome of unprotecting one packet, for counting drops by reason. */
    public enum Result { OK, AUTH_FAIL, REPLAY, INVALID }

    /**
     * jitsi-srtp logs every rejected packet (replays at SEVERE); the relay counts drops in its
     * metrics instead, so that logger stays silent: no logging per packet.
     */
    private static final java.util.logging.Logger JUL_SRTP = java.util.logging.Logger.getLogger("org.parley.srtp");
    private static final Logger LOGGER;

    static {
        JUL_SRTP.setLevel(java.util.logging.Level.OFF);
        LOGGER = new LoggerImpl("org.parley.srtp");
    }

    private final SrtpProfile profile;
    private final SrtpContextFactory sendFactory;
    private final SrtpContextFactory receiveFactory;
    private final ConcurrentHashMap<Integer, SrtpCryptoContext> sendRtp = new ConcurrentHashMap<>();
    private final ConcurrentHashMap<Integer, SrtpCryptoContext> receiveRtp = new ConcurrentHashMap<>();
    private final ConcurrentHashMap<Integer, SrtcpCryptoContext> sendRtcp = new ConcurrentHashMap<>();
    private final ConcurrentHashMap<Integer, SrtcpCryptoContext> receiveRtcp = new ConcurrentHashMap<>();

    /**
     * @param keyingMaterial exporter output, laid out client_key|server_key|client_salt|server_salt
     * @param isDtlsServer whether this side was the DTLS server (it then sends with the server keys)
     */
    /**
     * How far behind the newest packet sent on a stream an older one may still be sent: the SRTP
     * library refuses to encrypt an index it already used, or one this far behind, since it cannot
     * tell those apart (RFC 3711 section 9.1: an index encrypted twice under one key is a two-time
     * pad). 64 is also the smallest replay window RFC 3711 section 3.3.2 lets a receiver keep, so
     * nothing older can be counted on to be accepted anyway.
     */
    public static final int SEND_REPLAY_WINDOW = 64;

    public SrtpTransformer(SrtpProfile profile, byte[] keyingMaterial, boolean isDtlsServer) {
        this(profile, keyingMaterial, isDtlsServer, true);
    }

    /**
     * @param replayProtection false only for benchmarks that replay one packet; the relay always
     *        checks replays (RFC 3711 section 3.3.2) and never sends a sequence number twice
     */
    public SrtpTransformer(SrtpProfile profile, byte[] keyingMaterial, boolean isDtlsServer, boolean replayProtection) {
        this.profile = profile;
        int k = profile.keyLength();
        int s = profile.saltLength();
        byte[] clientKey = slice(keyingMaterial, 0, k);
        byte[] serverKey = slice(keyingMaterial, k, k);
        byte[] clientSalt = slice(keyingMaterial, 2 * k, s);
        byte[] serverSalt = slice(keyingMaterial, 2 * k + s, s);
        byte[] sendKey = isDtlsServer ? serverKey : clientKey;
        byte[] sendSalt = isDtlsServer ? serverSalt : clientSalt;
        byte[] recvKey = isDtlsServer ? clientKey : serverKey;
        byte[] recvSalt = isDtlsServer ? clientSalt : serverSalt;
        org.jitsi.srtp.SrtpPolicy sendPolicy = profile.policy();
        sendPolicy.setSendReplayEnabled(replayProtection);
        this.sendFactory = new SrtpContextFactory(true, sendKey, sendSalt, sendPolicy, sendPolicy, LOGGER);
        org.jitsi.srtp.SrtpPolicy receivePolicy = profile.policy();
        receivePolicy.setReceiveReplayEnabled(replayProtection);
        this.receiveFactory = new SrtpContextFactory(false, recvKey, recvSalt, receivePolicy, receivePolicy, LOGGER);
    }

    private static byte[] slice(byte[] src, int off, int len) {
        byte[] out = new byte[len];
        System.arraycopy(src, off, out, 0, len);
        return out;
    }

    public SrtpProfile profile() {
        return profile;
    }

    /** Encrypts an RTP packet in place; the buffer needs {@link PacketBuffer#TAIL_ROOM} spare bytes. */
    public boolean protectRtp(PacketBuffer packet) {
        try {
            int ssrc = readInt(packet, 8);
            SrtpCryptoContext ctx = sendRtp.computeIfAbsent(ssrc, this::newSendRtp);
            return ctx.transformPacket(packet) == SrtpErrorStatus.OK;
        } catch (GeneralSecurityException | RuntimeException e) {
            return false;
        }
    }

    /** Decrypts and authenticates an SRTP packet in place (RFC 3711 section 3.3, replay list included). */
    public Result unprotectRtp(PacketBuffer packet) {
        if (packet.getLength() < 12 + profile.tagLength()) {
            return Result.INVALID;
        }
        try {
            int ssrc = readInt(packet, 8);
            SrtpCryptoContext ctx = receiveRtp.computeIfAbsent(ssrc, this::newReceiveRtp);
            return map(ctx.reverseTransformPacket(packet, false));
        } catch (GeneralSecurityException | RuntimeException e) {
            return Result.INVALID;
        }
    }

    /** Encrypts a compound RTCP packet in place, appending the SRTCP index and tag. */
    public boolean protectRtcp(PacketBuffer packet) {
        try {
            int ssrc = readInt(packet, 4);
            SrtcpCryptoContext ctx = sendRtcp.computeIfAbsent(ssrc, this::newSendRtcp);
            return ctx.transformPacket(packet) == SrtpErrorStatus.OK;
        } catch (GeneralSecurityException | RuntimeException e) {
            return false;
        }
    }

    /** Decrypts and authenticates an SRTCP packet in place (RFC 3711 section 3.4). */
    public Result unprotectRtcp(PacketBuffer packet) {
        if (packet.getLength() < 8 + 4 + profile.tagLength()) {
            return Result.INVALID;
        }
        try {
            int ssrc = readInt(packet, 4);
            SrtcpCryptoContext ctx = receiveRtcp.computeIfAbsent(ssrc, this::newReceiveRtcp);
            return map(ctx.reverseTransformPacket(packet));
        } catch (GeneralSecurityException | RuntimeException e) {
            return Result.INVALID;
        }
    }

    private static Result map(SrtpErrorStatus status) {
        return switch (status) {
            case OK -> Result.OK;
            case AUTH_FAIL -> Result.AUTH_FAIL;
            case REPLAY_FAIL, REPLAY_OLD -> Result.REPLAY;
            default -> Result.INVALID;
        };
    }

    private SrtpCryptoContext newSendRtp(int ssrc) {
        return derive(sendFactory, ssrc);
    }

    private SrtpCryptoContext newReceiveRtp(int ssrc) {
        return derive(receiveFactory, ssrc);
    }

    private SrtcpCryptoContext newSendRtcp(int ssrc) {
        return deriveControl(sendFactory, ssrc);
    }

    private SrtcpCryptoContext newReceiveRtcp(int ssrc) {
        return deriveControl(receiveFactory, ssrc);
    }

    private static SrtpCryptoContext derive(SrtpContextFactory factory, int ssrc) {
        try {
            return factory.deriveContext(ssrc, 0);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("SRTP context derivation failed", e);
        }
    }

    private static SrtcpCryptoContext deriveControl(SrtpContextFactory factory, int ssrc) {
        try {
            return factory.deriveControlContext(ssrc);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("SRTCP context derivation failed", e);
        }
    }

    private static int readInt(PacketBuffer p, int at) {
        byte[] b = p.getBuffer();
        int o = p.getOffset() + at;
        return ((b[o] & 0xff) << 24) | ((b[o + 1] & 0xff) << 16) | ((b[o + 2] & 0xff) << 8) | (b[o + 3] & 0xff);
    }

    @Override
    public void close() {
        sendFactory.close();
        receiveFactory.close();
    }
}
