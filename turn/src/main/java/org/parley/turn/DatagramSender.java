package org.parley.turn;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.channel.Channel;
import io.netty.channel.epoll.EpollDatagramChannel;
import io.netty.channel.socket.DatagramPacket;
import io.netty.channel.unix.Socket;
import java.io.IOException;
import java.net.Inet6Address;
import java.net.InetSocketAddress;
import java.util.concurrent.Executor;
import org.parley.netio.NativeDatagramBatch;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Sends relayed datagrams from one UDP socket at once, on the event loop, without Netty's outbound
 * pipeline.
 *
 * <p>Why: a relayed packet needs one system call, but the channel's write path costs far more Java
 * work than that: a {@link DatagramPacket} and an outbound-buffer entry per packet, the pipeline,
 * a flush task. Profiled under {@code scripts/turn-bench.sh} it was the largest share of Parley's
 * user-space time per packet (docs/benchmarks.md, TURN). With native epoll the socket's own
 * {@code sendto} is called here directly; the caller keeps its buffer, so a packet read from one
 * socket leaves from another without a copy or a new buffer. UDP has no back-pressure to honour:
 * when the kernel's send buffer is full the datagram is dropped and counted, as the kernel would do
 * one hop later. Other transports (NIO) take the channel's ordinary write path. Confined to the
 * channel's event loop.
 */
final class DatagramSender {
    private static final Logger LOG = LoggerFactory.getLogger(DatagramSender.class);

    /** The channel, when sending through it (NIO); null with a native socket. */
    private final Channel channel;
    /** The native socket, or null: then the channel's pipeline is used. */
    private final Socket socket;
    private final ByteBufAllocator alloc;
    private final TurnMetrics metrics;
    /** Where {@link #sendWithHeader} puts a header before its payload; allocated on first use. */
    private ByteBuf framed;
    /**
     * For a listening socket: ChannelData queued until the end of the event loop's turn, then sent
     * in one {@code sendmmsg}; null to send each at once.
     */
    private final NativeDatagramBatch outgoing;
    private final Executor loop;
    private final Runnable flush = this::flush;
    private final boolean ipv6;
    /** Whether this sender's system calls count as the listening socket's ({@link TurnMetrics#udpWrites}). */
    private final boolean listener;

    /** Sends from {@code channel}: from its native socket under epoll, else through its pipeline. */
    DatagramSender(Channel channel, TurnMetrics metrics) {
        this.socket = channel instanceof EpollDatagramChannel epoll ? (Socket) epoll.fd() : null;
        this.channel = socket == null ? channel : null;
        this.alloc = channel.alloc();
        this.metrics = metrics;
        this.outgoing = null;
        this.loop = null;
        this.ipv6 = false;
        this.listener = false;
    }

    /** Sends from a native socket that is not a channel's. */
    DatagramSender(Socket socket, ByteBufAllocator alloc, TurnMetrics metrics) {
        this(socket, alloc, metrics, null, false);
    }

    private DatagramSender(Socket socket, ByteBufAllocator alloc, TurnMetrics metrics, Executor loop, boolean listener) {
        this.channel = null;
        this.socket = socket;
        this.alloc = alloc;
        this.metrics = metrics;
        this.loop = loop;
        this.listener = listener;
        this.outgoing = loop != null
                ? new NativeDatagramBatch(alloc.directBuffer(NativeDatagramBatch.SIZE * (4 + NettyTransport.DATAGRAM_SIZE)),
                        4 + NettyTransport.DATAGRAM_SIZE)
                : null;
        this.ipv6 = isIpv6(socket);
    }

    /**
     * The sender of a listening socket, on event loop {@code loop}: ChannelData to clients leaves in
     * one {@code sendmmsg} per turn of the loop where Netty's batch calls can be reached
     * ({@link NativeDatagramBatch}), else, or when {@code loop} is null (batching off), one
     * {@code sendto} each. Peers' answers to a burst of clients'
     * media come back together, so one call carries several.
     */
    static DatagramSender batching(Socket socket, Executor loop, ByteBufAllocator alloc, TurnMetrics metrics) {
        return new DatagramSender(socket, alloc, metrics, NativeDatagramBatch.AVAILABLE ? loop : null, true);
    }

    private static boolean isIpv6(Socket socket) {
        try {
            InetSocketAddress local = socket.localAddress();
            return local != null && local.getAddress() instanceof Inet6Address;
        } catch (RuntimeException e) {
            return false;
        }
    }

    /**
     * Sends {@code length} bytes of {@code buf} from {@code index} to {@code recipient}; {@code buf}
     * stays the caller's. Returns false when the datagram was dropped.
     */
    boolean send(ByteBuf buf, int index, int length, InetSocketAddress recipient) {
        if (socket == null) {
            return sendThroughPipeline(buf, index, length, recipient);
        }
        if (!buf.hasMemoryAddress()) {
            // Bytes in a heap array (a test's buffer, a heap-allocating channel); sendto needs native memory.
            ByteBuf direct = alloc.directBuffer(length).writeBytes(buf, index, length);
            try {
                return send(direct, direct.readerIndex(), length, recipient);
            } finally {
                direct.release();
            }
        }
        try {
            if (listener) {
                metrics.udpWrites++;
                metrics.udpDatagramsWritten++;
            }
            int sent = socket.sendToAddress(buf.memoryAddress(), index, index + length,
                    recipient.getAddress(), recipient.getPort());
            // 0 for a non-empty datagram is EAGAIN: the socket's send buffer is full.
            if (sent == 0 && length > 0) {
                metrics.droppedSendBufferFull++;
                return false;
            }
            return true;
        } catch (IOException e) {
            // e.g. EPERM from a firewall or ENETUNREACH; one datagram is lost, the socket stays.
            metrics.droppedSendError++;
            LOG.debug("sendto {} from fd {}: {}", recipient, socket.intValue(), e.toString());
            return false;
        }
    }

    /**
     * Sends a datagram of the 4-byte {@code header} followed by {@code length} bytes of {@code payload}
     * from {@code index}, as a ChannelData message is framed (RFC 8656 §12.4); {@code payload} stays the
     * caller's. The two are put together in a buffer this sender keeps for it.
     */
    boolean sendWithHeader(int header, ByteBuf payload, int index, int length, InetSocketAddress recipient) {
        if (outgoing != null) {
            queue(header, payload, index, length, recipient);
            return true;
        }
        if (framed == null) {
            framed = alloc.directBuffer(4 + NettyTransport.DATAGRAM_SIZE);
        }
        framed.clear().writeInt(header).writeBytes(payload, index, length);
        return send(framed, 0, framed.writerIndex(), recipient);
    }

    /** Frees the buffer of {@link #sendWithHeader}; call when the socket is closed. */
    void release() {
        if (framed != null) {
            framed.release();
            framed = null;
        }
        if (outgoing != null && outgoing.slots().refCnt() > 0) {
            outgoing.release();
            outgoing.slots().release();
        }
    }

    /** Puts a ChannelData datagram in the batch; the first of a turn asks the loop to send them after it. */
    private void queue(int header, ByteBuf payload, int index, int length, InetSocketAddress recipient) {
        int slot = outgoing.nextSlot();
        if (slot < 0) {
            flush();
            slot = outgoing.nextSlot();
        }
        if (outgoing.queued() == 0) {
            // Runs after the I/O events of this turn: every answer they produced goes in one call.
            loop.execute(flush);
        }
        ByteBuf slots = outgoing.slots();
        slots.setInt(slot, header);
        slots.setBytes(slot + 4, payload, index, length);
        outgoing.queue(4 + length, recipient);
    }

    /** Sends what {@link #queue} gathered; datagrams the kernel refused count as send-buffer drops. */
    private void flush() {
        int n = outgoing.queued();
        if (n == 0 || outgoing.slots().refCnt() == 0) {
            return;
        }
        metrics.udpWrites++;
        metrics.udpDatagramsWritten += n;
        try {
            int sent = outgoing.send(socket.intValue(), ipv6);
            metrics.droppedSendBufferFull += n - sent;
        } catch (IOException e) {
            metrics.droppedSendError += n;
            LOG.debug("sendmmsg from fd {}: {}", socket.intValue(), e.toString());
        }
    }

    private boolean sendThroughPipeline(ByteBuf buf, int index, int length, InetSocketAddress recipient) {
        ByteBuf copy = alloc.ioBuffer(length).writeBytes(buf, index, length);
        channel.writeAndFlush(new DatagramPacket(copy, recipient), channel.voidPromise());
        return true;
    }
}
