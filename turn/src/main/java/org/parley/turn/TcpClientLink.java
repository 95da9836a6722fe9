package org.parley.turn;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.channel.Channel;
import java.net.InetSocketAddress;
import org.parley.turn.stun.ChannelData;

/** A client on a TCP or TLS connection; the connection is the 5-tuple (RFC 8656 §3.1). */
final class TcpClientLink extends ClientLink {
    private final Channel channel;

    TcpClientLink(Channel channel, TransportProtocol protocol) {
        super(new FiveTuple(protocol, (InetSocketAddress) channel.remoteAddress(),
                (InetSocketAddress) channel.localAddress()));
        this.channel = channel;
    }

    Channel channel() {
        return channel;
    }

    @Override
    ByteBufAllocator alloc() {
        return channel.alloc();
    }

    @Override
    void send(ByteBuf message) {
        channel.writeAndFlush(message, channel.voidPromise());
    }

    @Override
    void sendChannelData(int number, ByteBuf payload, int index, int length) {
        // Over TCP and TLS ChannelData is padded to a multiple of four bytes (RFC 8656 §12.5).
        int padding = ChannelData.padding(length, true);
        ByteBuf out = channel.alloc().ioBuffer(ChannelData.HEADER_LENGTH + length + padding);
        ChannelData.writeHeader(out, number, length);
        out.writeBytes(payload, index, length).writeZero(padding);
        // One write and flush per message: over TLS that is one record each, and coturn's client
        // reads one message per SSL_read, losing the rest of a record holding several.
        channel.writeAndFlush(out, channel.voidPromise());
    }
}
