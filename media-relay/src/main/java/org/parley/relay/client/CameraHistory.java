package org.parley.relay.client;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import org.parley.relay.rtp.RtpPacket;

/**
 * The camera packets a test client sent last, kept to answer the relay's NACKs as RTX (RFC 4588
 * section 4: the RTX SSRC and payload type, its own sequence number, the original sequence number
 * in front of the original payload). Guarded by the client's lock.
 */
final class CameraHistory {

    private static final int SLOTS = 512;

    private final byte[][] packets = new byte[SLOTS][];
    private final int[] lengths = new int[SLOTS];
    private final long rtxSsrc;
    private int rtxSeq = ThreadLocalRandom.current().nextInt(0x10000);
    /** Numbers NACKed while repairs are held back ({@link #hold}), else null. */
    private List<Integer> held;

    CameraHistory(long rtxSsrc) {
        this.rtxSsrc = rtxSsrc;
    }

    long rtxSsrc() {
        return rtxSsrc;
    }

    /** Keeps the camera packet of {@code length} bytes at the start of {@code b}. */
    void remember(byte[] b, int length) {
        int slot = RtpPacket.sequence(b, 0) % SLOTS;
        if (packets[slot] == null || packets[slot].length < length) {
            packets[slot] = new byte[Math.max(length, 1500)];
        }
        System.arraycopy(b, 0, packets[slot], 0, length);
        lengths[slot] = length;
    }

    /** From now on NACKed numbers wait for {@link #release}. */
    void hold() {
        held = new ArrayList<>();
    }

    /** Whether {@code seq} was put aside because repairs are held back. */
    boolean holdBack(int seq) {
        if (held == null) {
            return false;
        }
        held.add(seq);
        return true;
    }

    /** The numbers held back, answered at once again from now on. */
    List<Integer> release() {
        List<Integer> out = held == null ? List.of() : held;
        held = null;
        return out;
    }

    /**
     * Writes packet {@code seq} as RTX at the start of {@code b} (its transport-wide sequence number
     * still the original's: the sender gives it a fresh one); returns its length, or -1 when the
     * packet is no longer kept.
     */
    int writeRtx(int seq, byte[] b) {
        int slot = seq % SLOTS;
        byte[] original = packets[slot];
        int length = lengths[slot];
        if (original == null || RtpPacket.sequence(original, 0) != seq) {
            return -1;
        }
        int header = RtpPacket.headerLength(original, 0, length);
        System.arraycopy(original, 0, b, 0, header);
        RtpPacket.setPayloadType(b, 0, ClientSdp.VP8_RTX_PT);
        RtpPacket.setSequence(b, 0, rtxSeq);
        RtpPacket.setSsrc(b, 0, rtxSsrc);
        RtpPacket.putShort(b, header, seq);
        System.arraycopy(original, header, b, header + 2, length - header);
        rtxSeq = (rtxSeq + 1) & 0xFFFF;
        return length + 2;
    }
}
