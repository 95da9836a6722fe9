package org.parley.turn;

import io.netty.channel.Channel;

/**
 * Flushes one channel once per event-loop turn rather than once per packet.
 *
 * <p>Peer-to-client packets arrive on many relay sockets, one allocation each, but all of them leave
 * through the same UDP listening socket. Written without a flush and flushed once after the turn's
 * I/O has been handled, they reach the kernel in one {@code sendmmsg} call instead of one
 * {@code sendto} each; the system calls were the largest cost per relayed packet when measured (see
 * docs/benchmarks.md, TURN). The flush runs as a task queued on the channel's event loop, which
 * Netty runs right after the ready sockets of the same wake-up, so no packet waits for a later one.
 * Confined to the event loop.
 */
final class DeferredFlush implements Runnable {
    private final Channel channel;
    private boolean scheduled;

    DeferredFlush(Channel channel) {
        this.channel = channel;
    }

    /** Asks for one flush after this turn's I/O; further requests in the same turn cost a field read. */
    void request() {
        if (!scheduled) {
            scheduled = true;
            channel.eventLoop().execute(this);
        }
    }

    @Override
    public void run() {
        scheduled = false;
        channel.flush();
    }
}
