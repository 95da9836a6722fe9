package org.parley.turn;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.channel.IoEventLoop;
import io.netty.channel.epoll.LinuxSocket;
import io.netty.channel.unix.DatagramSocketAddress;
import java.io.IOException;
import java.net.Inet6Address;
import java.net.InetSocketAddress;
import java.util.Arrays;
import org.parley.netio.NativeDatagramBatch;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A relay socket on Netty's epoll event loop without a channel (see {@link EpollDatagramSocket}):
 * the relay sockets carry every packet from peers to clients, one allocation each, and all of an
 * event loop's relay sockets read into one shared buffer.
 *
 * <p>Where Netty's {@code recvmmsg} can be reached ({@link NativeDatagramBatch}, then the shared
 * buffer is the batch's) one call reads every datagram waiting, up to the batch size: a peer's video
 * frame arrives as several packets at once. The sender comes as bytes; the address object of the
 * last peer is kept and reused while the same peer sends, which is nearly always, so a packet from
 * a peer costs no address object.
 *
 * <p>A relay socket mostly wakes up with one datagram waiting (media from one peer, a packet at a
 * time), and then Netty's {@code recvmmsg} costs two system calls, not one
 * ({@link NativeDatagramBatch#receiveOne}). So after a batch read that found at most one datagram the
 * socket reads one datagram a call; every {@link #PROBE_EVERY}th read asks for a batch again, and
 * one that finds several (a peer's video frame) goes back to batch reads until the socket quiets.
 */
final class EpollRelaySocket extends EpollDatagramSocket implements RelaySocket {
    private static final Logger LOG = LoggerFactory.getLogger(EpollRelaySocket.class);

    /** Reads one datagram at a time take at most this many reads before a batch read looks for bursts. */
    static final int PROBE_EVERY = 8;

    private final ByteBuf readBuffer;
    /** The loop's shared batch read, or null for one datagram per read into {@link #readBuffer}. */
    private final NativeDatagramBatch batch;
    private final boolean ipv6;
    private final DatagramSender sender;
    private Receiver receiver;
    /** The last peer that sent here, and its address bytes and port, to reuse its address object. */
    private InetSocketAddress lastPeer;
    private byte[] lastPeerAddress;
    private int lastPeerPort = -1;
    private final TurnMetrics metrics;
    /** 0 while reading batches; else reads made one datagram at a time since the last batch read, plus 1. */
    private int singleReads;

    private EpollRelaySocket(LinuxSocket socket, InetSocketAddress local, ByteBuf readBuffer,
            NativeDatagramBatch batch, ByteBufAllocator alloc, TurnMetrics metrics) {
        super(socket, local);
        this.readBuffer = readBuffer;
        this.batch = batch;
        this.ipv6 = local.getAddress() instanceof Inet6Address;
        this.sender = new DatagramSender(socket, alloc, metrics);
        this.metrics = metrics;
    }

    /**
     * A socket bound to {@code address} and reading on {@code loop}, or null when the address is taken.
     * Must run on {@code loop}. {@code readBuffer} is a direct buffer shared by the loop's relay sockets,
     * or, when {@code batch} is not null, the batch's buffer (then shared with the batch too).
     */
    static EpollRelaySocket bind(IoEventLoop loop, InetSocketAddress address, ByteBuf readBuffer,
            NativeDatagramBatch batch, ByteBufAllocator alloc, TurnMetrics metrics) {
        LinuxSocket socket;
        try {
            socket = open(address);
        } catch (IOException e) {
            return null;
        }
        EpollRelaySocket relay = new EpollRelaySocket(socket, address, readBuffer, batch, alloc, metrics);
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
        if (batch != null) {
            readBatch();
            return;
        }
        DatagramSocketAddress peer = receive(readBuffer);
        metrics.relayReads++;
        if (peer != null) {
            metrics.relayDatagramsRead++;
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

    private void readBatch() {
        int n;
        try {
            if (singleReads > 0 && singleReads < PROBE_EVERY) {
                n = batch.receiveOne(socket.intValue(), ipv6);
                singleReads++;
            } else {
                n = batch.receive(socket.intValue(), ipv6);
                singleReads = n <= 1 ? 1 : 0;
            }
        } catch (IOException e) {
            // A pending socket error (EPOLLERR) is returned, and cleared, by this read.
            LOG.debug("UDP socket {}: {}", local, e.toString());
            return;
        }
        metrics.relayReads++;
        metrics.relayDatagramsRead += n;
        for (int i = 0; i < n && receiver != null; i++) {
            InetSocketAddress peer = peer(i);
            if (peer == null) {
                continue;
            }
            try {
                receiver.onDatagram(readBuffer, batch.offset(i), batch.length(i), peer);
            } catch (RuntimeException e) {
                LOG.debug("dropping relayed packet: {}", e.toString());
            }
        }
    }

    /** The sender of datagram {@code i} of the batch: the last one's object when bytes and port are the same. */
    private InetSocketAddress peer(int i) {
        byte[] address = batch.senderAddress(i);
        int length = batch.senderAddressLength(i);
        int port = batch.senderPort(i);
        if (port == lastPeerPort && lastPeerAddress.length == length
                && Arrays.equals(lastPeerAddress, 0, length, address, 0, length)) {
            return lastPeer;
        }
        InetSocketAddress peer = batch.sender(i);
        if (peer != null) {
            lastPeer = peer;
            lastPeerAddress = Arrays.copyOf(address, length);
            lastPeerPort = port;
        }
        return peer;
    }

    @Override
    public void close() {
        receiver = null;
        super.close();
    }
}
