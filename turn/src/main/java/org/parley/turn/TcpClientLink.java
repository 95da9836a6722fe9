package org.parley.turn;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.channel.Channel;
import java.net.InetSocketAddress;

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
    void write(ByteBuf message) {
        if (fiveTuple().protocol() == TransportProtocol.TLS) {
            // One TLS record per message: coturn's client reads one message per SSL_read and loses
            // the rest of a record holding several.
            channel.writeAndFlush(message, channel.voidPromise());
        } else {
            channel.write(message, channel.voidPromise());
        }
    }

    @Override
    void flush() {
        channel.flush();
    }
}
