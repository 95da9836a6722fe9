package org.parley.relay.transport;

import java.io.IOException;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import org.parley.relay.RelayMetrics;
import org.parley.relay.RelayMetrics.Drop;

/**
 * One peer's bounded send queue, so that a receiver that cannot keep up costs only itself.
 *
 * <p>A write to an ICE-TCP connection blocks once the peer's TCP window and the kernel's buffers
 * are full (RFC 6544 gives TCP's flow control to the peer). The fan-out thread (the publisher's
 * receive thread) therefore never writes to such a connection: it copies the encrypted packet
 * into this queue and returns; a drain task on the {@link SendPool} writes it, and is the only
 * thread that waits for this peer. UDP datagrams never wait for the peer (no flow control), so
 * they go straight to the socket while nothing is queued (ForwardingBenchmark: the per-packet path
 * through a queue ran at 0.65 times the direct one, see docs/relay.md); they are queued only
 * behind packets already waiting, to keep the order.
 *
 * <p>When full, video yields first: video may fill {@value #VIDEO_SHARE_PERCENT} % of the bound,
 * the rest stays for audio and RTCP, which are refused only when the queue is completely full.
 * What is refused is dropped and counted ({@code parley_relay_dropped_packets{reason=
 * "receiver_queue_full", kind=...}}); the receiver repairs video by NACK and PLI as after loss.
 */
public final class SendQueue {

    /** Share of the bound that video (and retransmissions) may occupy. */
    static final int VIDEO_SHARE_PERCENT = 75;
    private static final int SLOT_BYTES = PacketBuffer.MAX_PACKET + PacketBuffer.TAIL_ROOM;

    private final DatagramSender wire;
    private final Executor drainer;
    private final RelayMetrics metrics;
    private final int videoLimit;
    /** Slot arrays, allocated when first used and then reused: a queue that never fills costs little. */
    private final byte[][] slots;
    private final int[] lengths;
    private int head;
    private int size;
    /** A drain task is scheduled or running (guarded by this). */
    private boolean draining;
    /** size > 0 or draining: read without the lock by the direct path. */
    private volatile boolean busy;
    private volatile boolean closed;
    /** The array the drain task swaps into a slot it empties (drain task only). */
    private byte[] spare;

    public SendQueue(int capacity, DatagramSender wire, Executor drainer, RelayMetrics metrics) {
        this.wire = wire;
        this.drainer = drainer;
        this.metrics = metrics;
        this.slots = new byte[capacity][];
        this.lengths = new int[capacity];
        this.videoLimit = Math.max(1, capacity * VIDEO_SHARE_PERCENT / 100);
    }

    /**
     * Sends a packet or queues a copy of it. {@code direct} says the wire takes it without waiting
     * (UDP): then it is written on the calling thread unless packets are queued before it.
     *
     * @return false when it was dropped (queue full, or the direct write failed)
     */
    public boolean send(byte[] b, int off, int len, SendKind kind, boolean direct) {
        if (direct && !busy && !closed) {
            return write(b, off, len);
        }
        boolean schedule;
        synchronized (this) {
            if (closed) {
                return false;
            }
            if (size >= slots.length || (kind.yieldsFirst() && size >= videoLimit)) {
                metrics.dropQueued(kind);
                return false;
            }
            int tail = (head + size) % slots.length;
            if (slots[tail] == null || slots[tail].length < len) {
                slots[tail] = new byte[Math.max(len, SLOT_BYTES)];
            }
            System.arraycopy(b, off, slots[tail], 0, len);
            lengths[tail] = len;
            size++;
            schedule = !draining;
            draining = true;
            busy = true;
        }
        if (schedule) {
            try {
                drainer.execute(this::drain);
            } catch (RejectedExecutionException e) {
                close(); // the relay is shutting down
            }
        }
        return true;
    }

    private boolean write(byte[] b, int off, int len) {
        try {
            if (wire.send(b, off, len)) {
                return true;
            }
            metrics.drop(Drop.SEND_FAILED);
            return false;
        } catch (IOException | RuntimeException e) {
            metrics.drop(Drop.SEND_FAILED);
            return false;
        }
    }

    /** Writes queued packets until none is left; may block on the wire, which only this peer waits for. */
    private void drain() {
        while (true) {
            byte[] packet;
            int len;
            synchronized (this) {
                if (size == 0 || closed) {
                    draining = false;
                    busy = false;
                    return;
                }
                packet = slots[head];
                len = lengths[head];
                slots[head] = spare;
                head = (head + 1) % slots.length;
                size--;
            }
            write(packet, 0, len);
            spare = packet;
        }
    }

    /** Packets waiting, for tests and diagnostics. */
    synchronized int size() {
        return size;
    }

    /** Forgets what is queued; a drain task blocked on the wire ends when the transport closes it. */
    synchronized void close() {
        closed = true;
        size = 0;
        busy = false;
        java.util.Arrays.fill(slots, null);
    }
}
