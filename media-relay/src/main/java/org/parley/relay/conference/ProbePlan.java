package org.parley.relay.conference;

/**
 * How a probe cluster at a target rate is sent: bursts {@value #TICK_MICROS} µs apart of
 * padding-only packets of {@value #PADDING_BYTES} padding bytes (the most RFC 3550's one-byte
 * padding count allows), spread evenly over the bursts. Sized so that the rate the estimator
 * measures (the bytes before the last packet over the time from the first to the last, as {@code
 * ProbeClusters} computes it) is the target.
 *
 * <p>At least {@value #MIN_TICKS} bursts (20 ms), and long enough to carry {@value #MIN_BYTES}
 * bytes, up to {@value #MAX_TICKS} bursts: a thin link's shaper or policer lets a burst of a few
 * full-size packets through at line speed before its rate applies (a token bucket's depth), so a
 * probe smaller than that arrives at the rate it was sent whatever the link's rate, and the
 * estimate would rise above the link (BandwidthAdaptationIT, docs/e2e.md: a 20 ms probe at 375 kbit/s, five
 * packets, lifted a receiver behind 400 kbit/s to 529 kbit/s and back onto a layer the link could
 * not carry). A probe that outlasts the bucket arrives at the link's rate once the bucket is empty.
 *
 * @param packets packets in the whole cluster
 * @param ticks bursts, {@value #TICK_MICROS} µs apart
 */
record ProbePlan(int packets, int ticks) {

    static final long TICK_MICROS = 5_000;
    /** Five bursts over 20 ms: at least the 5 packets a rate needs, spanning the receiver's 250 µs ticks. */
    static final int MIN_TICKS = 5;
    /**
     * What a probe carries at least, where {@link #MAX_TICKS} allows: about five full-size packets,
     * more than the bucket of a shaper on a link of a few hundred kbit/s (Linux's tbf and htb need
     * one full packet at least; two to a few are common).
     */
    static final long MIN_BYTES = 8_000;
    /**
     * 300 ms at most: each probe into a link that turns out full queues what exceeds the link, so
     * a slow target (below {@code MIN_BYTES} per 300 ms, about 210 kbit/s) gets a smaller probe
     * rather than a longer one.
     */
    static final int MAX_TICKS = 61;
    static final int PADDING_BYTES = 255;
    /** Size of a padding-only packet on the wire: header, transport-cc extension block, padding. */
    static final int PACKET_BYTES = 12 + 8 + PADDING_BYTES;
    /** A probe above 20 Mbit/s would be 200+ packets: beyond what a conference downlink needs. */
    static final int MAX_PACKETS = 200;

    static ProbePlan forRate(long targetBps) {
        double bytesPerTick = targetBps / 8.0 * TICK_MICROS / 1e6;
        int ticks = (int) Math.min(MAX_TICKS, Math.max(MIN_TICKS, Math.ceil(MIN_BYTES / bytesPerTick) + 1));
        double bytes = bytesPerTick * (ticks - 1) + PACKET_BYTES;
        int packets = (int) Math.min(MAX_PACKETS, Math.max(MIN_TICKS, Math.ceil(bytes / PACKET_BYTES)));
        return new ProbePlan(packets, ticks);
    }

    /**
     * Packets of burst {@code tick} (0-based): packet i goes in the burst nearest to i / (packets
     * - 1) of the way, so the first and the last burst send one at least and the rate is even
     * (some bursts send none when the packets are fewer than the bursts).
     */
    int packetsInTick(int tick) {
        return sentBy(tick) - sentBy(tick - 1);
    }

    private int sentBy(int tick) {
        if (tick < 0) {
            return 0;
        }
        if (tick >= ticks - 1) {
            return packets;
        }
        return Math.min(packets, (int) Math.floor((tick + 0.5) * (packets - 1) / (ticks - 1)) + 1);
    }
}
