package org.parley.turn;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.channel.Channel;
import io.netty.channel.socket.DatagramPacket;
import java.net.InetSocketAddress;
import java.util.Map;

/** A client reached over a UDP listening socket; registered with the listener while it has an allocation. */
final class UdpClientLink extends ClientLink {
    private final Channel listener;
    private final InetSocketAddress client;
    private final Map<InetSocketAddress, UdpClientLink> registry;
    private final DeferredFlush listenerFlush;

    UdpClientLink(Channel listener, InetSocketAddress client, InetSocketAddress server,
            Map<InetSocketAddress, UdpClientLink> registry, DeferredFlush listenerFlush) {
        super(new FiveTuple(TransportProtocol.UDP, client, server));
        this.listener = listener;
        this.client = client;
        this.registry = registry;
        this.listenerFlush = listenerFlush;
    }

    @Override
    ByteBufAllocator alloc() {
        return listener.alloc();
    }

    @Override
    void send(ByteBuf message) {
        listener.writeAndFlush(new DatagramPacket(message, client), listener.voidPromise());
    }

    @Override
    void write(ByteBuf message) {
        listener.write(new DatagramPacket(message, client), listener.voidPromise());
    }

    /** Shared by every client of the listening socket: one sendmmsg per event-loop turn (see DeferredFlush). */
    @Override
    void flush() {
        listenerFlush.request();
    }

    @Override
    void attach(Allocation a) {
        super.attach(a);
        registry.put(client, this);
    }

    @Override
    void detach() {
        super.detach();
        registry.remove(client, this);
    }
}
