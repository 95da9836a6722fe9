package org.parley.relay.conference;

import java.time.Clock;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.function.ToLongFunction;
import org.parley.relay.allocation.AllocatableStream;
import org.parley.relay.allocation.BandwidthAllocator;
import org.parley.relay.allocation.UpgradeProbes;
import org.parley.relay.control.ReceiverConstraints;

/**
 * One receiver's constraints and allocator: what it asked for and what it gets within its downlink
 * estimate, and the probes that find out when it can have more (docs/relay.md, "How the estimate
 * drives allocation").
 */
final class ReceiverAllocation {

    private final SubscriberSide receiver;
    private final BandwidthAllocator allocator;
    private final UpgradeProbes probes;
    private volatile ReceiverConstraints constraints = ReceiverConstraints.NONE;
    /** Streams whose layer an operator or test set by hand (RelayControl.setTargetLayer): left alone. */
    private final java.util.Set<ForwardedStream> setByHand = java.util.concurrent.ConcurrentHashMap.newKeySet();

    ReceiverAllocation(SubscriberSide receiver, Clock clock) {
        this.receiver = receiver;
        this.allocator = new BandwidthAllocator(clock);
        this.probes = new UpgradeProbes(clock);
    }

    void setConstraints(ReceiverConstraints constraints) {
        this.constraints = constraints;
    }

    /** An operator or test set this stream's layer: the allocator leaves it while the stream lasts. */
    void layerSetByHand(ForwardedStream stream) {
        setByHand.add(stream);
    }

    ReceiverConstraints constraints() {
        return constraints;
    }

    /**
     * Chooses every stream's layer; returns them per stream.
     *
     * @param relayLastN {@code parley.relay.last-n}, used unless the receiver set its own
     * @param joinOrder when each publisher joined (ranks those who never spoke)
     */
    Map<AllocatableStream, Integer> run(List<String> speakers, int relayLastN, ToLongFunction<String> joinOrder) {
        ReceiverConstraints c = constraints;
        List<AllocatedStream> streams = new ArrayList<>();
        List<ForwardedStream> now = receiver.streams();
        setByHand.retainAll(now);
        for (ForwardedStream f : now) {
            ReceiverConstraints.SourceLimit limit = c.limit(f.source().publisher().id(), f.source().kind());
            f.setMaxFrameRate(limit == null ? 0 : limit.maxFrameRate());
            if (!setByHand.contains(f)) {
                streams.add(new AllocatedStream(f));
            }
        }
        streams.sort(Comparator.comparingLong(s -> joinOrder.applyAsLong(s.publisherId())));
        Map<AllocatableStream, Integer> chosen = allocator.allocate(streams, receiver.availableBandwidthBps(), c,
                relayLastN, speakers);
        // after the layers: the temporal layers a frame rate needs are those of the target layer
        now.forEach(ForwardedStream::updateTemporalTarget);
        long probe = allocator.probeTargetBps();
        if (probes.due(probe)) {
            receiver.requestProbe(probe);
        }
        return chosen;
    }
}
