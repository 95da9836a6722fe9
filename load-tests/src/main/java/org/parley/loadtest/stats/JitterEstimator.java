package org.parley.loadtest.stats;

/**
 * Interarrival jitter of one RTP stream as RFC 3550 §6.4.1 defines it: for packets i-1 and i,
 * D = (R_i - R_{i-1}) - (S_i - S_{i-1}) in RTP timestamp units, and J += (|D| - J) / 16.
 * Arrival times must be given in the same units (the stream's clock rate).
 */
public final class JitterEstimator {

    private final int clockRate;
    private boolean first = true;
    private long lastArrival;
    private int lastTimestamp;
    /** J kept as a double; the RFC's integer form (J*16) gives the same value to within a unit. */
    private volatile double jitter;

    public JitterEstimator(int clockRate) {
        if (clockRate <= 0) {
            throw new IllegalArgumentException("clockRate must be positive");
        }
        this.clockRate = clockRate;
    }

    /**
     * One packet: {@code arrivalNanos} from a monotonic clock, {@code rtpTimestamp} the packet's
     * 32-bit timestamp. Returns the new jitter in timestamp units.
     */
    public double onPacket(long arrivalNanos, int rtpTimestamp) {
        long arrival = arrivalNanos * clockRate / 1_000_000_000L;
        if (first) {
            first = false;
        } else {
            // int subtraction wraps exactly as the 32-bit RTP timestamp does.
            long sent = rtpTimestamp - lastTimestamp;
            long d = (arrival - lastArrival) - sent;
            jitter += (Math.abs(d) - jitter) / 16.0;
        }
        lastArrival = arrival;
        lastTimestamp = rtpTimestamp;
        return jitter;
    }

    /** Current jitter in timestamp units. */
    public double jitter() {
        return jitter;
    }

    /** Current jitter in milliseconds. */
    public double jitterMillis() {
        return jitter * 1000.0 / clockRate;
    }
}
