package org.parley.turn;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.channel.IoEventLoop;
import io.netty.channel.epoll.LinuxSocket;
import io.netty.channel.unix.DatagramSocketAddress;
import java.io.IOException;
import java.net.InetSocketAddress;
import org.parley.netio.NativeDatagramBatch;

/**
 * A UDP listening socket on Netty's epoll event loop without a channel (see
 * {@link EpollDatagramSocket}): clients' STUN requests and ChannelData arrive here, and every answer
 * and every packet relayed to a client leaves from here.
 *
 * <p>Clients' datagrams arrive in bursts (many clients' media at once), so where Netty's
 * {@code recvmmsg} can be reached ({@link NativeDatagramBatch}) one system call reads up to
 * {@link NativeDatagramBatch#SIZE} of them; the read that finds fewer waiting also tells that the socket
 * is drained, so no read that only returns EAGAIN is made. Otherwise one {@code recvfrom} per wake-up.
 */
final class EpollUdpListener extends EpollDatagramSocket {
    private final ByteBuf readBuffer;
    /** The batch read, or null for one datagram per read. */
    private final NativeDatagramBatch batch;
    private final boolean ipv6;
    private final UdpClients clients;
    private final TurnMetrics metrics;

    private EpollUdpListener(LinuxSocket socket, InetSocketAddress local, UdpClients clients, TurnMetrics metrics,
            boolean batching) {
        super(socket, local);
        this.ipv6 = local.getAddress() instanceof java.net.Inet6Address;
        if (batching) {
            this.readBuffer = ByteBufAllocator.DEFAULT.directBuffer(NativeDatagramBatch.SIZE * NettyTransport.DATAGRAM_SIZE);
            this.batch = new NativeDatagramBatch(readBuffer, NettyTransport.DATAGRAM_SIZE);
        } else {
            this.readBuffer = ByteBufAllocator.DEFAULT.directBuffer(NettyTransport.DATAGRAM_SIZE);
            this.batch = null;
        }
        this.clients = clients;
        this.metrics = metrics;
    }

    /**
     * Binds {@code address} (port 0: any free port) and reads on {@code loop}; must run on it. Throws
     * when the address is taken, with the kernel's message ("Address already in use").
     */
    static EpollUdpListener bind(IoEventLoop loop, InetSocketAddress address, int bufferBytes, TurnContext ctx,
            StunDispatcher dispatcher) throws IOException {
        LinuxSocket socket = open(address);
        socket.setReceiveBufferSize(bufferBytes);
        socket.setSendBufferSize(bufferBytes);
        InetSocketAddress bound = (InetSocketAddress) socket.localAddress();
        boolean batching = ctx.config().udpBatching() && NativeDatagramBatch.AVAILABLE;
        UdpClients clients = new UdpClients(ctx, dispatcher,
                DatagramSender.batching(socket, batching ? loop : null, ByteBufAllocator.DEFAULT, ctx.metrics()),
                ByteBufAllocator.DEFAULT);
        EpollUdpListener listener = new EpollUdpListener(socket, bound, clients, ctx.metrics(), batching);
        if (!listener.register(loop)) {
            listener.release();
            throw new IOException("UDP listener " + bound + ": the event loop refused it");
        }
        return listener;
    }

    InetSocketAddress localAddress() {
        return local;
    }

    @Override
    void onReadable() {
        if (batch != null) {
            readBatch();
            return;
        }
        DatagramSocketAddress client = receive(readBuffer);
        metrics.udpReads++;
        if (client != null) {
            metrics.udpDatagramsRead++;
            readBuffer.setIndex(0, client.receivedAmount());
            clients.onDatagram(readBuffer, client, local);
        }
    }

    private void readBatch() {
        int n;
        try {
            n = batch.receive(socket.intValue(), ipv6);
        } catch (IOException e) {
            // A pending socket error (EPOLLERR) is returned, and cleared, by this read.
            return;
        }
        metrics.udpReads++;
        metrics.udpDatagramsRead += n;
        for (int i = 0; i < n; i++) {
            int at = batch.offset(i);
            readBuffer.setIndex(at, at + batch.length(i));
            clients.onDatagram(readBuffer, batch, i, local);
        }
    }

    @Override
    public void close() {
        super.close();
        release();
    }

    private void release() {
        if (readBuffer.refCnt() > 0) {
            if (batch != null) {
                batch.release();
            }
            readBuffer.release();
            clients.close();
        }
    }
}
