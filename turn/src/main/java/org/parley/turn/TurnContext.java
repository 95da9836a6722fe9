package org.parley.turn;

import io.netty.channel.EventLoop;
import java.time.Clock;

/** What every part of the server shares; all of it is confined to {@link #loop}. */
record TurnContext(TurnConfig config, Clock clock, EventLoop loop, TurnMetrics metrics,
        AllocationTable table, Authenticator authenticator, NonceService nonces, PeerAddressPolicy policy,
        RelayPortPool ports, RelayAddresses relayAddresses, SourceRateLimiter rateLimiter) {

    long now() {
        return clock.millis();
    }
}
