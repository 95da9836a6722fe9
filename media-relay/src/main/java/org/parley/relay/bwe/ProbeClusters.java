package org.parley.relay.bwe;

/**
 * What each probe cluster (a short burst sent at a target rate, see {@code Prober}) showed: the
 * rate it was sent at and the rate it arrived at. The smaller of the two is what the path carried
 * (Chromium's probe bitrate estimator; gcc-02 leaves probing to the implementation). A few slots
 * reused in turn; a cluster is judged once the feedback has reported all its packets.
 */
final class ProbeClusters {

    /** Clusters remembered; older ones are overwritten (a probe takes tens of ms, feedback ~100). */
    static final int SLOTS = 8;
    /** Fewer received packets say nothing about a rate. */
    static final int MIN_PACKETS = 5;
    /**
     * A cluster counts only when this share of it arrived: a policer lets the head of a burst
     * through at full speed and drops the rest, which would otherwise read as a fast link
     * (Chromium's probe bitrate estimator uses the same 80 %).
     */
    static final double MIN_RECEIVED_RATIO = 0.8;
    /** An arrival rate far above the send rate is measurement error (packets bunched up). */
    static final double MAX_RECEIVE_OVER_SEND = 1.5;

    private final int[] ids = new int[SLOTS];
    private final int[] expected = new int[SLOTS];
    private final int[] reported = new int[SLOTS];
    private final int[] arrived = new int[SLOTS];
    private final long[] bytes = new long[SLOTS];
    private final long[] firstSend = new long[SLOTS];
    private final long[] lastSend = new long[SLOTS];
    private final int[] lastSendSize = new int[SLOTS];
    private final long[] firstArrival = new long[SLOTS];
    private final long[] lastArrival = new long[SLOTS];
    private final int[] firstArrivalSize = new int[SLOTS];
    private final long[] arrivedBytes = new long[SLOTS];

    ProbeClusters() {
        java.util.Arrays.fill(ids, -1);
    }

    /** A cluster of {@code packets} is being sent. */
    void start(int cluster, int packets) {
        int s = Math.floorMod(cluster, SLOTS);
        ids[s] = cluster;
        expected[s] = packets;
        reported[s] = 0;
        arrived[s] = 0;
        bytes[s] = 0;
        arrivedBytes[s] = 0;
        firstSend[s] = Long.MAX_VALUE;
        lastSend[s] = Long.MIN_VALUE;
        firstArrival[s] = Long.MAX_VALUE;
        lastArrival[s] = Long.MIN_VALUE;
    }

    /**
     * One packet of {@code cluster} in feedback; returns the cluster's result in bits/s once it
     * is complete (its last packet reported), 0 while incomplete, -1 when it showed nothing.
     */
    long onPacket(int cluster, long sendNanos, int size, long arrivalMicros) {
        int s = Math.floorMod(cluster, SLOTS);
        if (ids[s] != cluster) {
            return 0;
        }
        reported[s]++;
        bytes[s] += size;
        firstSend[s] = Math.min(firstSend[s], sendNanos);
        if (sendNanos >= lastSend[s]) {
            lastSend[s] = sendNanos;
            lastSendSize[s] = size;
        }
        if (arrivalMicros >= 0) {
            arrived[s]++;
            arrivedBytes[s] += size;
            if (arrivalMicros < firstArrival[s]) {
                firstArrival[s] = arrivalMicros;
                firstArrivalSize[s] = size;
            }
            lastArrival[s] = Math.max(lastArrival[s], arrivalMicros);
        }
        if (reported[s] < expected[s]) {
            return 0;
        }
        ids[s] = -1;
        return result(s);
    }

    private long result(int s) {
        if (arrived[s] < MIN_PACKETS || arrived[s] < MIN_RECEIVED_RATIO * reported[s] || lastSend[s] <= firstSend[s] || lastArrival[s] <= firstArrival[s]) {
            return -1;
        }
        // The last packet sent ends the send interval, the first one received starts the receive one.
        double sendBps = (bytes[s] - lastSendSize[s]) * 8e9 / (lastSend[s] - firstSend[s]);
        double receiveBps = (arrivedBytes[s] - firstArrivalSize[s]) * 8e6 / (lastArrival[s] - firstArrival[s]);
        if (receiveBps > MAX_RECEIVE_OVER_SEND * sendBps) {
            return -1;
        }
        return (long) Math.min(sendBps, receiveBps);
    }
}
