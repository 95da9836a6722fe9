package org.parley.turn;

import io.netty.buffer.ByteBuf;
import io.netty.channel.IoEvent;
import io.netty.channel.IoEventLoop;
import io.netty.channel.IoRegistration;
import io.netty.channel.epoll.EpollIoEvent;
import io.netty.channel.epoll.EpollIoHandle;
import io.netty.channel.epoll.EpollIoOps;
import io.netty.channel.epoll.LinuxSocket;
import io.netty.channel.socket.SocketProtocolFamily;
import io.netty.channel.unix.DatagramSocketAddress;
import io.netty.channel.unix.FileDescriptor;
import io.netty.util.concurrent.Future;
import java.io.IOException;
import java.net.Inet6Address;
import java.net.InetSocketAddress;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A UDP socket read and written directly on Netty's epoll event loop, registered as an
 * {@link EpollIoHandle} rather than wrapped in a channel.
 *
 * <p>Why: every relayed packet crosses two UDP sockets. As Netty channels each datagram cost a
 * pooled buffer, a {@code DatagramPacket}, a trip through the pipeline and a release, several times
 * the Java work of relaying it (profiled under {@code scripts/turn-bench.sh}, docs/benchmarks.md).
 * Here a ready socket is read with one {@code recvfrom} into a buffer the caller reuses, and the
 * datagram is handled and forgotten. A socket is read once per wake-up: Netty's epoll is
 * level-triggered, so a datagram still waiting makes the socket ready again, and the read that would
 * only return EAGAIN is saved. Datagrams longer than the buffer are cut, as Netty's channels cut
 * them (TURN over UDP stays below the path MTU, RFC 8656 §2.6). Confined to the event loop.
 */
abstract class EpollDatagramSocket implements EpollIoHandle {
    private static final Logger LOG = LoggerFactory.getLogger(EpollDatagramSocket.class);

    final LinuxSocket socket;
    final InetSocketAddress local;
    private IoRegistration registration;

    EpollDatagramSocket(LinuxSocket socket, InetSocketAddress local) {
        this.socket = socket;
        this.local = local;
    }

    /** A socket of {@code address}'s own family bound to it; throws when the address is taken. */
    static LinuxSocket open(InetSocketAddress address) throws IOException {
        LinuxSocket socket = LinuxSocket.newSocketDgram(address.getAddress() instanceof Inet6Address
                ? SocketProtocolFamily.INET6 : SocketProtocolFamily.INET);
        try {
            socket.bind(address);
            return socket;
        } catch (IOException e) {
            closeQuietly(socket);
            throw e;
        }
    }

    /**
     * Starts reading on {@code loop}; must run on it, where registration completes at once. False when
     * the loop refused the registration; the socket is closed then.
     */
    final boolean register(IoEventLoop loop) {
        Future<IoRegistration> registered = loop.register(this);
        if (!registered.isDone() || !registered.isSuccess()) {
            LOG.warn("UDP socket {} not registered: {}", local, registered.cause());
            closeQuietly(socket);
            return false;
        }
        registration = registered.getNow();
        registration.submit(EpollIoOps.EPOLLIN);
        return true;
    }

    /** The socket has a datagram (or a pending error) to read. */
    abstract void onReadable();

    /**
     * Reads one datagram into {@code buf} from index 0 and returns its sender (with the length), or
     * null when there was none or the read failed.
     */
    final DatagramSocketAddress receive(ByteBuf buf) {
        try {
            // A pending socket error (EPOLLERR) is returned, and cleared, by this read.
            return socket.recvFromAddress(buf.memoryAddress(), 0, buf.capacity());
        } catch (IOException e) {
            LOG.debug("UDP socket {}: {}", local, e.toString());
            return null;
        }
    }

    @Override
    public final FileDescriptor fd() {
        return socket;
    }

    @Override
    public final void handle(IoRegistration reg, IoEvent event) {
        EpollIoOps ops = ((EpollIoEvent) event).ops();
        if (ops.contains(EpollIoOps.EPOLLIN) || ops.contains(EpollIoOps.EPOLLERR)) {
            onReadable();
        }
    }

    /** Stops reading and closes the socket; also called by Netty when the event loop shuts down. */
    @Override
    public void close() {
        if (registration != null) {
            registration.cancel();
            registration = null;
        }
        closeQuietly(socket);
    }

    private static void closeQuietly(LinuxSocket socket) {
        try {
            socket.close();
        } catch (IOException e) {
            LOG.debug("closing UDP socket: {}", e.toString());
        }
    }
}
