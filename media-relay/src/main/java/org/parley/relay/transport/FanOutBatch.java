package org.parley.relay.transport;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import java.io.IOException;
import java.nio.ByteBuffer;
import org.parley.netio.NativeDatagramBatch;
import org.parley.relay.RelayMetrics;
import org.parley.relay.RelayMetrics.Drop;

/**
 * One thread's datagrams on their way out of the shared UDP port: the copies of one forwarded
 * packet (a fan-out) leave in one {@code sendmmsg} instead of one {@code sendto} each.
 *
 * <p>Why: at one publisher to 50 receivers, the system-call entries and the preemptions inside
 * {@code sendto} were about a tenth of the relay's CPU (docs/benchmarks.md, issue 18). The
 * publisher's receive thread {@link #open opens} the batch before the fan-out and {@link #close
 * closes} it after; every {@link SharedPortSender#send} in between is queued, and the batch leaves
 * when it is full ({@link NativeDatagramBatch#SIZE}), when the next datagram is for another shared
 * socket, and at the close. Outside a fan-out (RTCP, retransmissions, DTLS, the send pool) a send
 * leaves at once, as a batch of one.
 *
 * <p>Confined to its thread (a {@link ThreadLocal}), so no lock; its native slots are allocated
 * once per sending thread and freed with it, so nothing is allocated per packet.
 */
public final class FanOutBatch {

    private static final int SLOT_BYTES = PacketBuffer.MAX_PACKET + PacketBuffer.TAIL_ROOM;
    private static final ThreadLocal<FanOutBatch> BATCH = ThreadLocal.withInitial(FanOutBatch::new);

    private final NativeDatagramBatch batch;
    private final ByteBuf slots;
    /** The socket the queued datagrams leave by. */
    private SharedPortSender target;
    private boolean open;
    /** Since {@link #open}: system calls made, and datagrams the kernel did not take. */
    private int calls;
    private int unsent;

    private FanOutBatch() {
        // A JDK direct buffer: freed by the garbage collector when its thread ends.
        this.slots = Unpooled.wrappedBuffer(ByteBuffer.allocateDirect(NativeDatagramBatch.SIZE * SLOT_BYTES));
        this.batch = new NativeDatagramBatch(slots, SLOT_BYTES);
    }

    static FanOutBatch forThread() {
        return BATCH.get();
    }

    /**
     * Starts holding this thread's shared-port sends back until {@link #close}; a no-op where Netty's
     * batching is unavailable (every send then leaves at once).
     */
    public static void open() {
        if (NativeDatagramBatch.AVAILABLE) {
            BATCH.get().open = true;
        }
    }

    /**
     * Sends what this thread's fan-out queued, counts its system calls and the datagrams that found
     * the send buffer full ({@link Drop#SEND_FAILED}) in {@code metrics}, and stops holding sends back.
     */
    public static void close(RelayMetrics metrics) {
        if (!NativeDatagramBatch.AVAILABLE) {
            return;
        }
        FanOutBatch b = BATCH.get();
        if (!b.open) {
            return;
        }
        b.flush();
        b.open = false;
        if (b.calls > 0) {
            metrics.fanOutSendCalls.increment(b.calls);
        }
        for (int i = 0; i < b.unsent; i++) {
            metrics.drop(Drop.SEND_FAILED);
        }
        b.calls = 0;
        b.unsent = 0;
    }

    /**
     * Queues one datagram for {@code sender} (sent at once outside a fan-out).
     *
     * @return false when it was not sent (outside a fan-out, the send buffer was full)
     */
    boolean add(SharedPortSender sender, byte[] data, int offset, int length, Recipient to) throws IOException {
        if (length > SLOT_BYTES) {
            throw new IOException("datagram of " + length + " bytes is larger than " + SLOT_BYTES);
        }
        if (target != sender && batch.queued() > 0) {
            flush();
        }
        int slot = batch.nextSlot();
        if (slot < 0) {
            flush();
            slot = batch.nextSlot();
        }
        slots.setBytes(slot, data, offset, length);
        batch.queue(length, to.address16(), to.scopeId(), to.port());
        target = sender;
        if (open) {
            return true;
        }
        SharedPortSender s = target;
        target = null;
        return s.sendBatch(batch) == 1;
    }

    /** Sends the queued datagrams; inside a fan-out, what the kernel refused is counted, not thrown. */
    private void flush() {
        int n = batch.queued();
        if (n == 0) {
            return;
        }
        SharedPortSender s = target;
        target = null;
        calls++;
        try {
            unsent += n - s.sendBatch(batch);
        } catch (IOException | RuntimeException e) {
            unsent += n;
        }
    }
}
