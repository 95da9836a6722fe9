package org.parley.turn;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.channel.IoEventLoop;
import io.netty.channel.epoll.LinuxSocket;
import io.netty.channel.unix.DatagramSocketAddress;
import java.io.IOException;
import java.net.InetSocketAddress;

/**
 * A UDP listening socket on Netty's epoll event loop without a channel (see
 * {@link EpollDatagramSocket}): clients' STUN requests and ChannelData arrive here, and every answer
 * and every packet relayed to a client leaves from here.
 */
final class EpollUdpListener extends EpollDatagramSocket {
    private final ByteBuf readBuffer;
    private final UdpClients clients;

    private EpollUdpListener(LinuxSocket socket, InetSocketAddress local, UdpClients clients) {
        super(socket, local);
        this.readBuffer = ByteBufAllocator.DEFAULT.directBuffer(NettyTransport.DATAGRAM_SIZE);
        this.clients = clients;
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
        UdpClients clients = new UdpClients(ctx, dispatcher,
                new DatagramSender(socket, ByteBufAllocator.DEFAULT, ctx.metrics()), ByteBufAllocator.DEFAULT);
        EpollUdpListener listener = new EpollUdpListener(socket, bound, clients);
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
        DatagramSocketAddress client = receive(readBuffer);
        if (client != null) {
            readBuffer.setIndex(0, client.receivedAmount());
            clients.onDatagram(readBuffer, client, local);
        }
    }

    @Override
    public void close() {
        super.close();
        release();
    }

    private void release() {
        if (readBuffer.refCnt() > 0) {
            readBuffer.release();
            clients.close();
        }
    }
}
