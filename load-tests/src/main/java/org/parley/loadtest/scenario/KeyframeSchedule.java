package org.parley.loadtest.scenario;

/**
 * When a simulated encoder sends its next periodic keyframe: the first frame, then one frame per
 * interval on a fixed grid (so frame ticks do not make the interval drift longer; after a stall
 * of more than an interval the grid restarts). Keyframes sent on PLI come
 * on top (the relay's client sends those by itself). Time is passed in, so the schedule is
 * tested without sleeping.
 */
final class KeyframeSchedule {

    private final long intervalNanos;
    private long lastNanos;
    private boolean started;

    /** @param intervalNanos 0 for no periodic keyframes (only the first frame is one) */
    KeyframeSchedule(long intervalNanos) {
        this.intervalNanos = intervalNanos;
    }

    /** Whether the frame sent at {@code nowNanos} is due to be a keyframe. */
    boolean due(long nowNanos) {
        if (!started) {
            started = true;
            lastNanos = nowNanos;
            return true;
        }
        long next = lastNanos + intervalNanos;
        if (intervalNanos > 0 && nowNanos - next >= 0) {
            lastNanos = nowNanos - next < intervalNanos ? next : nowNanos;
            return true;
        }
        return false;
    }
}
