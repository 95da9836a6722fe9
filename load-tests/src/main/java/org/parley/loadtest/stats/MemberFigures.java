package org.parley.loadtest.stats;

/**
 * What one simulated member received over the run, as {@code lk load-test} prints per tester: its
 * streams against those it should have had, loss against what their senders sent, mean jitter,
 * and the time from sign-in to its first media packet (-1 if none came).
 */
public record MemberFigures(String member, int streamsReceived, int streamsExpected, long packetsExpected,
        long packetsLost, double jitterMs, double firstMediaMs) {

    @com.fasterxml.jackson.annotation.JsonProperty("lossPercent")
    public double lossPercent() {
        return packetsExpected == 0 ? 0 : 100.0 * packetsLost / packetsExpected;
    }

    /** Worse first: fewer of its streams, then more loss. */
    public static int worseFirst(MemberFigures a, MemberFigures b) {
        int byStreams = Integer.compare(a.streamsReceived - a.streamsExpected, b.streamsReceived - b.streamsExpected);
        return byStreams != 0 ? byStreams : Double.compare(b.lossPercent(), a.lossPercent());
    }
}
