package org.parley.signaling.media;

import java.time.Clock;
import java.time.Duration;

/**
 * Fails fast while the media relay is unreachable. A remote relay that has gone away makes each
 * call wait for its request timeout; without this, every join or accept in that time would queue
 * behind the dead relay and answer late. After a failure the circuit opens for {@code holdOff};
 * calls in that window are refused at once, and the first call after it tries the relay again.
 * Loop thread only.
 */
final class RelayCircuit {

    private final Clock clock;
    private final Duration holdOff;
    private long openUntilMillis;

    RelayCircuit(Clock clock, Duration holdOff) {
        this.clock = clock;
        this.holdOff = holdOff;
    }

    /** Milliseconds until the relay is tried again; 0 when it may be called now. */
    long refusingForMillis() {
        return Math.max(0, openUntilMillis - clock.millis());
    }

    /** The relay could not be reached or broke: stop calling it for a while. */
    void failed() {
        openUntilMillis = clock.millis() + holdOff.toMillis();
    }

    /** The relay answered (even with a refusal such as bad SDP): it is there. */
    void answered() {
        openUntilMillis = 0;
    }
}
