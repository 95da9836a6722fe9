package org.parley.relay.transport;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.channels.DatagramChannel;

/**
 * The relay's own socket for sending media out of the shared UDP port, beside ice4j's.
 *
 * <p>ice4j sends a datagram through seven layers (the component's pair lookup, two socket
 * wrappers, its socket pool, its per-session socket, the JDK's socket adaptor, which copies the
 * heap array into a temporary native buffer) before the system call; with one publisher's packet
 * copied to 50 receivers they cost about a tenth of the relay's CPU (docs/benchmarks.md, issue 18).
 * This socket writes straight from one direct buffer per thread instead.
 *
 * <p>It is bound to the same address and port as ice4j's listener (SO_REUSEADDR) and <em>before</em>
 * it: Linux hands an arriving unicast datagram to the most recently bound of such sockets, so
 * every datagram still reaches ice4j (STUN, consent, and media until ICE has selected a pair) and
 * this socket never reads one. The source address a receiver sees is the same port ICE checked,
 * as RFC 8445 section 12 requires of media on the selected pair.
 *
 * <p>Non-blocking: a full send buffer drops the datagram (the caller counts it) rather than
 * stalling the publisher's fan-out thread.
 */
public final class SharedPortSender implements AutoCloseable {

    private static final int BUFFER_BYTES = PacketBuffer.MAX_PACKET + PacketBuffer.TAIL_ROOM;
    /** One direct buffer per sending thread (the fan-out threads): no allocation per packet. */
    private static final ThreadLocal<ByteBuffer> OUT = ThreadLocal.withInitial(() -> ByteBuffer.allocateDirect(BUFFER_BYTES));

    private final DatagramChannel channel;
    private final InetSocketAddress local;

    private SharedPortSender(DatagramChannel channel) throws IOException {
        this.channel = channel;
        this.local = (InetSocketAddress) channel.getLocalAddress();
    }

    /**
     * Binds a sender to {@code address} (port 0 picks a free one); ice4j's listener must then bind
     * the same address and {@link #port()}.
     */
    public static SharedPortSender bind(InetSocketAddress address) throws IOException {
        DatagramChannel channel = DatagramChannel.open();
        try {
            channel.setOption(StandardSocketOptions.SO_REUSEADDR, true);
            channel.bind(address);
            channel.configureBlocking(false);
            return new SharedPortSender(channel);
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
     * Sends one datagram to {@code to}.
     *
     * @return false when the socket's send buffer was full and the datagram was not sent
     * @throws IOException when the socket is closed or the kernel refused the datagram
     */
    public boolean send(byte[] data, int offset, int length, InetSocketAddress to) throws IOException {
        ByteBuffer out = OUT.get();
        out.clear();
        out.put(data, offset, length);
        out.flip();
        return channel.send(out, to) == length;
    }

    /** The channel itself, for tests that check it never receives. */
    DatagramChannel channelForTests() {
        return channel;
    }

    @Override
    public void close() {
        try {
            channel.close();
        } catch (IOException e) {
            // closing: nothing left to do with it
        }
    }
}
