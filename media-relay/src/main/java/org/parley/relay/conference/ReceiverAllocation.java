package org.parley.relay.conference;

import java.time.Clock;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.function.ToLongFunction;
import org.parley.relay.allocation.AllocatableStream;
import org.parley.relay.allocation.BandwidthAllocator;
import org.parley.relay.control.ReceiverConstraints;

/** One receiver's constraints and allocator: what it asked for and what it gets. */
final class ReceiverAllocation {

    private final SubscriberSide receiver;
    private final BandwidthAllocator allocator;
    private volatile ReceiverConstraints constraints = ReceiverConstraints.NONE;
    /** Streams whose layer an operator or test set by hand (RelayControl.setTargetLayer): left alone. */
    private final java.util.Set<ForwardedStream> setByHand = java.util.concurrent.ConcurrentHashMap.newKeySet();

    ReceiverAllocation(SubscriberSide receiver, Clock clock) {
        this.receiver = receiver;
        this.allocator = new BandwidthAllocator(clock);
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
            if (!setByHand.contains(f)) {
                streams.add(new AllocatedStream(f));
            }
        }
        streams.sort(Comparator.comparingLong(s -> joinOrder.applyAsLong(s.publisherId())));
        // Unknown (0) limits nothing: the receiver's downlink estimate (SubscriberSide's, from its
        // transport-wide CC feedback) goes here once it exists; REMB alone starts too low and
        // climbs too slowly to pause streams on (Chromium starts it near 300 kbit/s).
        return allocator.allocate(streams, 0, c, relayLastN, speakers);
    }
}
