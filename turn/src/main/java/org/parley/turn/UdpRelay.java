package org.parley.turn;

import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.socket.DatagramPacket;
import java.net.InetSocketAddress;

/** One relayed UDP transport address of an allocation (RFC 8656 §2) and its socket. */
final class UdpRelay {
    private final Channel channel;
    private final InetSocketAddress bound;
    private final InetSocketAddress advertised;

    UdpRelay(Channel channel, InetSocketAddress bound, InetSocketAddress advertised) {
        this.channel = channel;
        this.bound = bound;
        this.advertised = advertised;
    }

    /** The address told to the client in XOR-RELAYED-ADDRESS (external-ip applied). */
    InetSocketAddress advertised() {
        return advertised;
    }

    InetSocketAddress bound() {
        return bound;
    }

    boolean isIpv6() {
        return bound.getAddress().getAddress().length == 16;
    }

    /** Sends {@code data} to {@code peer}; takes ownership of {@code data}. */
    void send(ByteBuf data, InetSocketAddress peer) {
        channel.writeAndFlush(new DatagramPacket(data, peer), channel.voidPromise());
    }

    void close() {
        channel.close();
    }
}
