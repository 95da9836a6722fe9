package org.parley.turn;

import io.netty.buffer.ByteBuf;
import java.net.InetSocketAddress;

/** One relayed UDP transport address of an allocation (RFC 8656 §2) and its socket. */
final class UdpRelay {
    private final RelaySocket socket;
    private final InetSocketAddress bound;
    private final InetSocketAddress advertised;

    UdpRelay(RelaySocket socket, InetSocketAddress advertised) {
        this.socket = socket;
        this.bound = socket.localAddress();
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

    /** Sends {@code length} bytes of {@code buf} from {@code index} to {@code peer} now; {@code buf} stays the caller's. */
    void send(ByteBuf buf, int index, int length, InetSocketAddress peer) {
        socket.send(buf, index, length, peer);
    }

    /** From now on datagrams from peers go to {@code receiver}. */
    void receiver(RelaySocket.Receiver receiver) {
        socket.receiver(receiver);
    }

    void close() {
        socket.close();
    }
}
