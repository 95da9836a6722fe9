package org.parley.relay.transport;

import java.util.concurrent.SynchronousQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.parley.relay.RelayMetrics;

/**
 * The threads that drain peers' {@link SendQueue}s. A thread exists only while some peer has
 * packets waiting (ICE-TCP peers in practice), and one blocked peer holds only its own: each
 * queue runs at most one drain task, and a task never waits for another peer. Idle threads end
 * after {@value #IDLE_SECONDS} s, so a relay without ICE-TCP receivers keeps none.
 */
public final class SendPool implements AutoCloseable {

    private static final long IDLE_SECONDS = 30;

    private final int queuePackets;
    private final ThreadPoolExecutor threads;

    /** @param queuePackets the bound of each peer's queue ({@code parley.relay.send-queue-packets}) */
    public SendPool(int queuePackets) {
        this.queuePackets = queuePackets;
        AtomicInteger n = new AtomicInteger();
        this.threads = new ThreadPoolExecutor(0, Integer.MAX_VALUE, IDLE_SECONDS, TimeUnit.SECONDS,
                new SynchronousQueue<>(), r -> {
                    Thread t = new Thread(r, "relay-send-" + n.incrementAndGet());
                    t.setDaemon(true);
                    return t;
                });
    }

    /** A queue for one peer, writing to {@code wire}. */
    SendQueue newQueue(DatagramSender wire, RelayMetrics metrics) {
        return new SendQueue(queuePackets, wire, threads, metrics);
    }

    @Override
    public void close() {
        threads.shutdownNow();
    }
}
