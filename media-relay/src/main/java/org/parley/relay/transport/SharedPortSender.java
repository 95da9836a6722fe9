package org.parley.relay.transport;

import io.netty.channel.unix.Socket;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.channels.DatagramChannel;
import org.parley.netio.NativeDatagramBatch;

/**
 * The relay's own socket for sending media out of the shared UDP port, beside ice4j's.
 *
 * <p>ice4j sends a datagram through seven layers (the component's pair lookup, two socket
 * wrappers, its socket pool, its per-session socket, the JDK's socket adaptor, which copies the
 * heap array into a temporary native buffer) before the system call; with one publisher's packet
 * copied to 50 receivers they cost about a tenth of the relay's CPU (docs/benchmarks.md, issue 18).
 * This socket writes straight from native memory instead, and a fan-out's copies leave together in
 * one {@code sendmmsg} ({@link FanOutBatch}).
 *
 * <p>It is bound to the same address and port as ice4j's listener (SO_REUSEADDR) and <em>before</em>
 * it: Linux hands an arriving unicast datagram to the most recently bound of such sockets, so
 * every datagram still reaches ice4j (STUN, consent, and media until ICE has selected a pair) and
 * this socket never reads one. The source address a receiver sees is the same port ICE checked,
 * as RFC 8445 section 12 requires of media on the selected pair.
 *
 * <p>Netty's native socket where its batching is reachable ({@link NativeDatagramBatch#AVAILABLE}),
 * else a JDK channel sending one datagram per call. Non-blocking either way: a full send buffer
 * drops the datagram (the caller counts it) rather than stalling the publisher's fan-out thread.
 */
public final class SharedPortSender implements AutoCloseable {

    private static final int BUFFER_BYTES = PacketBuffer.MAX_PACKET + PacketBuffer.TAIL_ROOM;
    /** One direct buffer per sending thread for the JDK channel: no allocation per packet. */
    private static final ThreadLocal<ByteBuffer> OUT = ThreadLocal.withInitial(() -> ByteBuffer.allocateDirect(BUFFER_BYTES));

    /** Netty's native socket, or null where batching is unavailable. */
    private final Socket nativeSocket;
    private final boolean ipv6;
    /** The JDK's channel where batching is unavailable, else null. */
    private final DatagramChannel channel;
    private final InetSocketAddress local;
    private volatile boolean closed;

    private SharedPortSender(Socket nativeSocket, boolean ipv6, DatagramChannel channel, InetSocketAddress local) {
        this.nativeSocket = nativeSocket;
        this.ipv6 = ipv6;
        this.channel = channel;
        this.local = local;
    }

    /**
     * Binds a sender to {@code address} (port 0 picks a free one); ice4j's listener must then bind
     * the same address and {@link #port()}.
     */
    public static SharedPortSender bind(InetSocketAddress address) throws IOException {
        if (NativeDatagramBatch.AVAILABLE) {
            // Of the same family as the JDK's sockets (IPv6 dual-stack unless IPv4 is preferred),
            // so that ice4j's listener, bound after it, is the one that receives.
            boolean ipv6 = Socket.isIPv6Preferred();
            Socket socket = Socket.newSocketDgram();
            try {
                socket.setReuseAddress(true);
                socket.bind(address);
                return new SharedPortSender(socket, ipv6, null, socket.localAddress());
            } catch (IOException | RuntimeException e) {
                socket.close();
                throw e;
            }
        }
        DatagramChannel channel = DatagramChannel.open();
        try {
            channel.setOption(StandardSocketOptions.SO_REUSEADDR, true);
            channel.bind(address);
            channel.configureBlocking(false);
            return new SharedPortSender(null, false, channel, (InetSocketAddress) channel.getLocalAddress());
        } catch (IOException | RuntimeException e) {
            channel.close();
            throw e;
        }
    }

    /** The bound port. */
    public int port() {
        return local.getPort();
    }

    /** The bound address and port. */
    public InetSocketAddress localAddress() {
        return local;
    }

    /**
     * Sends one datagram to {@code to}; inside a fan-out ({@link FanOutBatch#open}) it is queued and
     * leaves with the others, and a full send buffer is counted when the batch is closed.
     *
     * @return false when the socket's send buffer was full and the datagram was not sent
     * @throws IOException when the socket is closed or the kernel refused the datagram
     */
    public boolean send(byte[] data, int offset, int length, Recipient to) throws IOException {
        if (closed) {
            throw new IOException("shared port sender " + local + " closed");
        }
        if (nativeSocket != null) {
            return FanOutBatch.forThread().add(this, data, offset, length, to);
        }
        ByteBuffer out = OUT.get();
        out.clear();
        out.put(data, offset, length);
        out.flip();
        return channel.send(out, to.address()) == length;
    }

    /** Sends {@code batch}'s queued datagrams; returns how many the kernel took. */
    int sendBatch(NativeDatagramBatch batch) throws IOException {
        if (closed) {
            // The descriptor's number may already belong to another socket: never write to it.
            batch.discard();
            throw new IOException("shared port sender " + local + " closed");
        }
        return batch.send(nativeSocket.intValue(), ipv6);
    }

    /** Reads one datagram without blocking, or null: for tests that check it never receives. */
    InetSocketAddress receiveForTests(ByteBuffer into) throws IOException {
        if (nativeSocket != null) {
            return nativeSocket.recvFrom(into, into.position(), into.limit());
        }
        return (InetSocketAddress) channel.receive(into);
    }

    @Override
    public void close() {
        closed = true;
        try {
            if (nativeSocket != null) {
                nativeSocket.close();
            } else {
                channel.close();
            }
        } catch (IOException e) {
            // closing: nothing left to do with it
        }
    }
}
