package org.parley.turn;

import io.netty.buffer.ByteBuf;
import java.net.InetSocketAddress;

/**
 * The UDP socket of one relayed transport address (RFC 8656 §2): datagrams that peers send to it go
 * to its {@link Receiver}, datagrams for peers leave from it. Confined to the event loop.
 */
interface RelaySocket {

    /** Gets each datagram a peer sends to the socket (RFC 8656 §11.3). */
    @FunctionalInterface
    interface Receiver {
        /**
         * {@code length} bytes from {@code index} of {@code buf}, sent by {@code peer}. The buffer is
         * the socket's and is reused for the next datagram: read it before returning, do not keep it.
         */
        void onDatagram(ByteBuf buf, int index, int length, InetSocketAddress peer);
    }

    InetSocketAddress localAddress();

    /** Who gets the datagrams from now on; until one is set they are read and dropped. */
    void receiver(Receiver receiver);

    /** Sends {@code length} bytes of {@code buf} from {@code index} to {@code peer} now; {@code buf} stays the caller's. */
    void send(ByteBuf buf, int index, int length, InetSocketAddress peer);

    void close();
}
