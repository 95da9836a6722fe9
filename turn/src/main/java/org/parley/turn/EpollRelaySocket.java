package org.parley.turn;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.channel.IoEventLoop;
import io.netty.channel.epoll.LinuxSocket;
import io.netty.channel.unix.DatagramSocketAddress;
import java.io.IOException;
import java.net.InetSocketAddress;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A relay socket on Netty's epoll event loop without a channel (see {@link EpollDatagramSocket}):
 * the relay sockets carry every packet from peers to clients, one allocation each, and all of an
 * event loop's relay sockets read into one shared buffer.
 */
final class EpollRelaySocket extends EpollDatagramSocket implements RelaySocket {
    private static final Logger LOG = LoggerFactory.getLogger(EpollRelaySocket.class);

    private final ByteBuf readBuffer;
    private final DatagramSender sender;
    private Receiver receiver;

    private EpollRelaySocket(LinuxSocket socket, InetSocketAddress local, ByteBuf readBuffer,
            ByteBufAllocator alloc, TurnMetrics metrics) {
        super(socket, local);
        this.readBuffer = readBuffer;
        this.sender = new DatagramSender(socket, alloc, metrics);
    }

    /**
     * A socket bound to {@code address} and reading on {@code loop}, or null when the address is taken.
     * Must run on {@code loop}. {@code readBuffer} is a direct buffer shared by the loop's relay sockets.
     */
    static EpollRelaySocket bind(IoEventLoop loop, InetSocketAddress address, ByteBuf readBuffer,
            ByteBufAllocator alloc, TurnMetrics metrics) {
        LinuxSocket socket;
        try {
            socket = open(address);
        } catch (IOException e) {
            return null;
        }
        EpollRelaySocket relay = new EpollRelaySocket(socket, address, readBuffer, alloc, metrics);
        return relay.register(loop) ? relay : null;
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
    void onReadable() {
        DatagramSocketAddress peer = receive(readBuffer);
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
        super.close();
    }
}
