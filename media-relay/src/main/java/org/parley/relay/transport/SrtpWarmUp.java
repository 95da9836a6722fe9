package org.parley.relay.transport;

import java.time.Duration;

/**
 * Makes jitsi-srtp choose its AES implementations before media flows. The first SRTP context of
 * each cipher mode makes it time every AES provider it knows (thousands of rounds each) while
 * holding one process-wide lock; done lazily, the first call's media waited seconds for that, every
 * other stream of the process with it, and then arrived in a burst. The relay runs this when it
 * starts, the load tool before it places load.
 */
public final class SrtpWarmUp {

    private static boolean done;

    private SrtpWarmUp() {
    }

    /**
     * Protects one RTP and one RTCP packet with each profile the relay negotiates, once per
     * process; returns how long it took (zero when it had been done already).
     */
    public static synchronized Duration run() {
        if (done) {
            return Duration.ZERO;
        }
        long t0 = System.nanoTime();
        for (SrtpProfile profile : SrtpProfile.values()) {
            byte[] keys = new byte[2 * profile.keyLength() + 2 * profile.saltLength()];
            try (SrtpTransformer t = new SrtpTransformer(profile, keys, false)) {
                t.protectRtp(packet(0x80, 96));
                t.protectRtcp(packet(0x81, 201));
            }
        }
        done = true;
        return Duration.ofNanos(System.nanoTime() - t0);
    }

    /** A minimal RTP (version 2, payload type 96) or RTCP receiver report header, 100 bytes long. */
    private static PacketBuffer packet(int first, int second) {
        PacketBuffer p = PacketBuffer.allocate();
        byte[] b = p.getBuffer();
        b[0] = (byte) first;
        b[1] = (byte) second;
        b[3] = 24; // RTCP length field: (100 / 4) - 1 words
        b[11] = 1; // SSRC 1
        p.setLength(100);
        return p;
    }
}
