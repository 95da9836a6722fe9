package org.parley.relay.conference;

/**
 * How a probe cluster at a target rate is sent: {@value #TICKS} bursts {@value #TICK_MICROS} µs
 * apart of padding-only packets of {@value #PADDING_BYTES} padding bytes (the most RFC 3550's
 * one-byte padding count allows). Sized so that the rate the estimator measures (the bytes
 * before the last packet over the time from the first to the last, as {@code ProbeClusters}
 * computes it) is the target.
 *
 * @param packets packets in the whole cluster
 * @param perTick packets of each burst (the remainder goes to the first ones)
 */
record ProbePlan(int packets, int perTick, int remainder) {

    /**
     * Five bursts over 20 ms: at least the 5 packets a rate needs, short enough that the probe
     * costs a congested link little, long enough to span the receiver's 250 µs timestamp ticks.
     */
    static final int TICKS = 5;
    static final long TICK_MICROS = 5_000;
    static final int PADDING_BYTES = 255;
    /** Size of a padding-only packet on the wire: header, transport-cc extension block, padding. */
    static final int PACKET_BYTES = 12 + 8 + PADDING_BYTES;
    /** A probe above 20 Mbit/s would be 200+ packets: beyond what a conference downlink needs. */
    static final int MAX_PACKETS = 200;

    static ProbePlan forRate(long targetBps) {
        double bytes = targetBps / 8.0 * (TICKS - 1) * TICK_MICROS / 1e6 + PACKET_BYTES;
        int packets = (int) Math.min(MAX_PACKETS, Math.max(TICKS, Math.ceil(bytes / PACKET_BYTES)));
        return new ProbePlan(packets, packets / TICKS, packets % TICKS);
    }

    int packetsInTick(int tick) {
        return perTick + (tick < remainder ? 1 : 0);
    }
}
