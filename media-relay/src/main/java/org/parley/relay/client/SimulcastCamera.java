package org.parley.relay.client;

import java.nio.charset.StandardCharsets;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicInteger;
import org.parley.relay.rtp.RtpPacket;
import org.parley.relay.transport.PacketBuffer;
import org.parley.relay.transport.PeerTransport;
import org.parley.relay.transport.SendKind;

/**
 * A camera published as three simulcast layers the way Chromium does it (RFC 8853): per layer an
 * SSRC and an RTX SSRC, each packet naming its layer with the rtp-stream-id extension and each
 * repair with repaired-rtp-stream-id (RFC 8852), or, when SSRC-signalled, announced with
 * a=ssrc-group:SIM instead. Keyframes carry a VP8 key frame header (RFC 6386 section 9.1) with
 * the layer's picture size, so the relay can tell the layers' heights.
 */
public final class SimulcastCamera {

    /** Rids lowest first, as parley.js names them. */
    public static final String[] RIDS = {"q", "h", "f"};
    public static final int[] HEIGHTS = {180, 360, 720};
    private static final int LAYERS = RIDS.length;
    private static final int HISTORY = 256;

    private final PeerTransport publisher;
    private final AtomicInteger transportSeq;
    private final boolean ridSignalled;
    private final long[] ssrcs = new long[LAYERS];
    private final long[] rtxSsrcs = new long[LAYERS];
    private final int[] seqs = new int[LAYERS];
    private final long[] timestamps = new long[LAYERS];
    private final int[] rtxSeqs = new int[LAYERS];
    private final boolean[] keyframeRequested = {true, true, true};
    private final boolean[] loseNext = new boolean[LAYERS];
    private final byte[][][] history = new byte[LAYERS][HISTORY][];
    private final int[][] historyLength = new int[LAYERS][HISTORY];
    private final PacketBuffer buffer = PacketBuffer.allocate();
    private final AtomicInteger keyframeRequests = new AtomicInteger();
    private final AtomicInteger retransmissions = new AtomicInteger();

    SimulcastCamera(PeerTransport publisher, AtomicInteger transportSeq, boolean ridSignalled) {
        this.publisher = publisher;
        this.transportSeq = transportSeq;
        this.ridSignalled = ridSignalled;
        ThreadLocalRandom r = ThreadLocalRandom.current();
        for (int i = 0; i < LAYERS; i++) {
            ssrcs[i] = r.nextLong(1, 0x100000000L);
            rtxSsrcs[i] = r.nextLong(1, 0x100000000L);
            seqs[i] = r.nextInt(0x10000);
            rtxSeqs[i] = r.nextInt(0x10000);
            timestamps[i] = r.nextLong(0x100000000L);
        }
    }

    public boolean ridSignalled() {
        return ridSignalled;
    }

    public long ssrc(int layer) {
        return ssrcs[layer];
    }

    public long rtxSsrc(int layer) {
        return rtxSsrcs[layer];
    }

    /** PLIs/FIRs the relay sent for any layer. */
    public int keyframeRequests() {
        return keyframeRequests.get();
    }

    /** Packets resent as RTX because the relay asked for them (NACK). */
    public int retransmissions() {
        return retransmissions.get();
    }

    /** The next frame of {@code layer} is a keyframe, as an encoder's periodic keyframe. */
    public synchronized void requestKeyframe(int layer) {
        keyframeRequested[layer] = true;
    }

    /** The next packet of {@code layer} is built and remembered but not sent, as if lost. */
    public synchronized void loseNext(int layer) {
        loseNext[layer] = true;
    }

    /**
     * Sends one frame of a layer as a single VP8 packet: a keyframe when the relay asked for one
     * of that layer (or none was sent yet), else a delta frame. Each layer's timestamp advances
     * 3000 ticks (30 fps) per frame.
     */
    public synchronized boolean sendFrame(int layer, byte[] payload) {
        boolean key = keyframeRequested[layer];
        keyframeRequested[layer] = false;
        byte[] b = buffer.getBuffer();
        b[0] = (byte) 0x90;
        b[1] = (byte) (0x80 | ClientSdp.VP8_PT);
        RtpPacket.setSequence(b, 0, seqs[layer]);
        RtpPacket.setTimestamp(b, 0, timestamps[layer]);
        RtpPacket.setSsrc(b, 0, ssrcs[layer]);
        int at = extensions(b, 12, HeaderIds.RID, layer);
        b[at++] = 0x10; // VP8 payload descriptor: S=1, PID=0 (RFC 7741 section 4.2)
        if (key) {
            // frame tag with P=0, start code, 14-bit width and height (RFC 6386 section 9.1)
            int height = HEIGHTS[layer];
            int width = height * 16 / 9;
            byte[] header = {0x00, 0x00, 0x00, (byte) 0x9d, 0x01, 0x2a, (byte) width, (byte) (width >> 8),
                (byte) height, (byte) (height >> 8)};
            System.arraycopy(header, 0, b, at, header.length);
            at += header.length;
        } else {
            b[at++] = 0x01; // P=1: an inter frame
            b[at++] = 0;
            b[at++] = 0;
        }
        System.arraycopy(payload, 0, b, at, payload.length);
        int len = at + payload.length;
        int slot = seqs[layer] % HISTORY;
        if (history[layer][slot] == null) {
            history[layer][slot] = new byte[1500];
        }
        System.arraycopy(b, 0, history[layer][slot], 0, len);
        historyLength[layer][slot] = len;
        seqs[layer] = (seqs[layer] + 1) & 0xFFFF;
        timestamps[layer] = (timestamps[layer] + 3000) & 0xFFFFFFFFL;
        if (loseNext[layer]) {
            loseNext[layer] = false;
            return true;
        }
        return send(len);
    }

    /** True when the PLI/FIR names one of this camera's layers; that layer's next frame is a keyframe. */
    synchronized boolean onKeyframeRequest(long mediaSsrc) {
        for (int i = 0; i < LAYERS; i++) {
            if (ssrcs[i] == mediaSsrc) {
                keyframeRequested[i] = true;
                keyframeRequests.incrementAndGet();
                return true;
            }
        }
        return false;
    }

    /**
     * Answers a NACK for one layer's packet: RTX on the layer's RTX SSRC (RFC 4588 section 4) with
     * repaired-rtp-stream-id naming the layer (RFC 8852 section 3.2).
     */
    synchronized void resend(long mediaSsrc, int seq) {
        int layer = -1;
        for (int i = 0; i < LAYERS; i++) {
            if (ssrcs[i] == mediaSsrc) {
                layer = i;
            }
        }
        if (layer < 0) {
            return;
        }
        byte[] original = history[layer][seq % HISTORY];
        int length = historyLength[layer][seq % HISTORY];
        if (original == null || RtpPacket.sequence(original, 0) != seq) {
            return;
        }
        int header = RtpPacket.headerLength(original, 0, length);
        byte[] b = buffer.getBuffer();
        System.arraycopy(original, 0, b, 0, 12);
        RtpPacket.setPayloadType(b, 0, ClientSdp.VP8_RTX_PT);
        RtpPacket.setSequence(b, 0, rtxSeqs[layer]);
        RtpPacket.setSsrc(b, 0, rtxSsrcs[layer]);
        int at = extensions(b, 12, HeaderIds.REPAIRED_RID, layer);
        RtpPacket.putShort(b, at, seq);
        System.arraycopy(original, header, b, at + 2, length - header);
        rtxSeqs[layer] = (rtxSeqs[layer] + 1) & 0xFFFF;
        if (send(at + 2 + length - header)) {
            retransmissions.incrementAndGet();
        }
    }

    private enum HeaderIds { RID, REPAIRED_RID }

    /**
     * RFC 8285 one-byte extensions: transport-wide sequence, mid "1", and (rid-signalled) the
     * layer's rid as rtp-stream-id or repaired-rtp-stream-id; padded to 8 bytes.
     */
    private int extensions(byte[] b, int at, HeaderIds ridKind, int layer) {
        RtpPacket.putShort(b, at, RtpPacket.ONE_BYTE_PROFILE);
        RtpPacket.putShort(b, at + 2, 2);
        int i = at + 4;
        b[i++] = (byte) ((ClientSdp.TWCC_ID << 4) | 1);
        RtpPacket.putShort(b, i, transportSeq.getAndIncrement() & 0xFFFF);
        i += 2;
        b[i++] = (byte) (ClientSdp.MID_ID << 4);
        b[i++] = '1';
        if (ridSignalled) {
            int id = ridKind == HeaderIds.RID ? ClientSdp.RID_ID : ClientSdp.REPAIRED_RID_ID;
            b[i++] = (byte) (id << 4);
            b[i++] = RIDS[layer].getBytes(StandardCharsets.US_ASCII)[0];
        }
        while (i < at + 12) {
            b[i++] = 0;
        }
        return at + 12;
    }

    private boolean send(int len) {
        buffer.setOffset(0);
        buffer.setLength(len);
        return publisher.sendRtp(buffer, SendKind.VIDEO);
    }

    /** The layer and frame number a received packet of this camera carries ("L2 17" payloads). */
    public static String text(ReceivedPacket p) {
        byte[] frame = p.frame();
        int skip = (frame[0] & 0x01) == 0 ? 10 : 3;
        return new String(frame, skip, frame.length - skip, StandardCharsets.US_ASCII);
    }

    /** Whether a received packet of this camera starts a keyframe. */
    public static boolean isKeyframe(ReceivedPacket p) {
        return (p.frame()[0] & 0x01) == 0;
    }
}
