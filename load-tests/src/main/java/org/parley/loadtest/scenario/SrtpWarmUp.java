package org.parley.loadtest.scenario;

import java.io.PrintStream;
import java.util.Locale;
import org.parley.relay.transport.PacketBuffer;
import org.parley.relay.transport.SrtpProfile;
import org.parley.relay.transport.SrtpTransformer;

/**
 * Makes jitsi-srtp choose its AES implementations before any load is placed. The first SRTP
 * context of each cipher mode makes it time every AES provider it knows (thousands of rounds
 * each) while holding one process-wide lock, so on a busy machine the first media of a run would
 * otherwise wait seconds, every sender of the process with it, and then arrive in a burst.
 */
final class SrtpWarmUp {

    private static volatile boolean done;

    private SrtpWarmUp() {
    }

    /** Protects one RTP and one RTCP packet with each profile the relay negotiates; once per process. */
    static synchronized void run(PrintStream log) {
        if (done) {
            return;
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
        log.println(String.format(Locale.ROOT, "SRTP ciphers ready after %.1f s (jitsi-srtp picks its AES provider once)",
                (System.nanoTime() - t0) / 1e9));
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
