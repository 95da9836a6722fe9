package org.parley.relay.allocation;

import java.util.ArrayList;
import java.util.List;

/**
 * The conference's speakers, most recent first: last-N keeps the video of those who spoke last
 * (as Jitsi's "last N" is literally the last N speakers). Bounded, since only the first N matter.
 */
public final class SpeakerHistory {

    private static final int KEPT = 64;

    private final List<String> order = new ArrayList<>();

    /** {@code endpointId} became the active speaker. */
    public synchronized void spoke(String endpointId) {
        order.remove(endpointId);
        order.add(0, endpointId);
        if (order.size() > KEPT) {
            order.remove(order.size() - 1);
        }
    }

    /** {@code endpointId} left the conference. */
    public synchronized void forget(String endpointId) {
        order.remove(endpointId);
    }

    /** Most recent first. */
    public synchronized List<String> recent() {
        return List.copyOf(order);
    }
}
