package org.parley.turn;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import java.net.InetSocketAddress;

/**
 * A client reached over a UDP listening socket; registered with the listener while it has an
 * allocation. Every message leaves at once through the listener's {@link DatagramSender}.
 */
final class UdpClientLink extends ClientLink {
    private final ByteBufAllocator alloc;
    private final DatagramSender sender;
    private final InetSocketAddress client;
    private final UdpClients registry;

    UdpClientLink(ByteBufAllocator alloc, DatagramSender sender, InetSocketAddress client, InetSocketAddress server,
            UdpClients registry) {
        super(new FiveTuple(TransportProtocol.UDP, client, server));
        this.alloc = alloc;
        this.sender = sender;
        this.client = client;
        this.registry = registry;
    }

    @Override
    ByteBufAllocator alloc() {
        return alloc;
    }

    @Override
    void send(ByteBuf message) {
        try {
            sender.send(message, message.readerIndex(), message.readableBytes(), client);
        } finally {
            message.release();
        }
    }

    @Override
    void sendChannelData(int channel, ByteBuf payload, int index, int length) {
        // UDP needs no padding (RFC 8656 §12.5).
        sender.sendWithHeader(channel << 16 | length, payload, index, length, client);
    }

    @Override
    void attach(Allocation a) {
        super.attach(a);
        registry.register(this, client);
    }

    @Override
    void detach() {
        super.detach();
        registry.unregister(this, client);
    }
}
