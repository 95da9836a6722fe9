package org.parley.signaling.media;

import java.util.Optional;
import org.parley.relay.control.RelayControl;
import org.parley.relay.control.RelayException;

/** Every conference on one relay (this process's, or one other node's), or no relay at all. */
public final class SingleRelay implements RelayRoutes {

    private final Optional<RelayControl> relay;

    public SingleRelay(Optional<RelayControl> relay) {
        this.relay = relay;
    }

    @Override
    public boolean configured() {
        return relay.isPresent();
    }

    @Override
    public RelayControl relayFor(String conferenceId) {
        return relay.orElseThrow(() -> new RelayException(RelayException.Reason.UNAVAILABLE, "no relay configured"));
    }

    @Override
    public void onRestart(Runnable r) {
        relay.ifPresent(control -> control.onRestart(r));
    }
}
