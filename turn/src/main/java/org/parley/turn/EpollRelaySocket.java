package org.parley.turn;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
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
 * A relay socket read and written directly on Netty's epoll event loop, without a channel.
 *
 * <p>Why: the relay sockets carry every packet from peers to clients, one allocation each. As Netty
 * channels each datagram cost a pooled buffer, a {@code DatagramPacket}, a trip through the
 * pipeline and a release, several times the Java work of the relaying itself (profiled under
 * {@code scripts/turn-bench.sh}, docs/benchmarks.md). Registered as an {@link EpollIoHandle}, a
 * ready socket is read here with one {@code recvfrom} into a buffer that all relay sockets of the
 * event loop share, handed to the receiver and forgotten. The socket is read once per wake-up:
 * Netty's epoll is level-triggered, so a datagram still waiting makes the socket ready again, and
 * the read that would only return EAGAIN is saved. Datagrams longer than the shared buffer are cut,
 * as Netty's channels cut them (TURN over UDP stays below the path MTU, RFC 8656 §2.6).
 */
final class EpollRelaySocket implements RelaySocket, EpollIoHandle {
    private static final Logger LOG = LoggerFactory.getLogger(EpollRelaySocket.class);

    private final LinuxSocket socket;
    private final InetSocketAddress local;
    private final ByteBuf readBuffer;
    private final DatagramSender sender;
    private IoRegistration registration;
    private Receiver receiver;

    private EpollRelaySocket(LinuxSocket socket, InetSocketAddress local, ByteBuf readBuffer,
            ByteBufAllocator alloc, TurnMetrics metrics) {
        this.socket = socket;
        this.local = local;
        this.readBuffer = readBuffer;
        this.sender = new DatagramSender(socket, alloc, metrics);
    }

    /**
     * A socket bound to {@code address} and registered for reading with {@code loop}, or null when the
     * address is taken. Must run on {@code loop}, where registration completes at once.
     * {@code readBuffer} is a direct buffer shared by the loop's relay sockets.
     */
    static EpollRelaySocket bind(IoEventLoop loop, InetSocketAddress address, ByteBuf readBuffer,
            ByteBufAllocator alloc, TurnMetrics metrics) {
        LinuxSocket socket = LinuxSocket.newSocketDgram(address.getAddress() instanceof Inet6Address
                ? SocketProtocolFamily.INET6 : SocketProtocolFamily.INET);
        try {
            socket.bind(address);
        } catch (IOException e) {
            closeQuietly(socket);
            return null;
        }
        EpollRelaySocket relay = new EpollRelaySocket(socket, address, readBuffer, alloc, metrics);
        Future<IoRegistration> registered = loop.register(relay);
        if (!registered.isDone() || !registered.isSuccess()) {
            LOG.warn("relay socket {} not registered: {}", address, registered.cause());
            registered.addListener(f -> {
                if (f.isSuccess()) {
                    ((IoRegistration) f.getNow()).cancel();
                }
            });
            closeQuietly(socket);
            return null;
        }
        relay.registration = registered.getNow();
        relay.registration.submit(EpollIoOps.EPOLLIN);
        return relay;
    }

    @Override
    public InetSocketAddress localAddress() {
        return local;
    }

    @Override
    public void receiver(Receiver r) {
        receiver = r;
    }

    @Override
    public void send(ByteBuf buf, int index, int length, InetSocketAddress peer) {
        sender.send(buf, index, length, peer);
    }

    @Override
    public FileDescriptor fd() {
        return socket;
    }

    @Override
    public void handle(IoRegistration reg, IoEvent event) {
        EpollIoOps ops = ((EpollIoEvent) event).ops();
        if (!ops.contains(EpollIoOps.EPOLLIN) && !ops.contains(EpollIoOps.EPOLLERR)) {
            return;
        }
        DatagramSocketAddress peer;
        try {
            // A pending socket error (EPOLLERR) is returned, and cleared, by this read.
            peer = socket.recvFromAddress(readBuffer.memoryAddress(), 0, readBuffer.capacity());
        } catch (IOException e) {
            LOG.debug("relay socket {}: {}", local, e.toString());
            return;
        }
        if (peer == null || receiver == null) {
            return;
        }
        try {
            receiver.onDatagram(readBuffer, 0, peer.receivedAmount(), peer);
        } catch (RuntimeException e) {
            LOG.debug("dropping relayed packet: {}", e.toString());
        }
    }

    @Override
    public void close() {
        receiver = null;
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
            LOG.debug("closing relay socket: {}", e.toString());
        }
    }
}
