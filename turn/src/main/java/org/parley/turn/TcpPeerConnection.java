package org.parley.turn;

import io.netty.channel.Channel;
import java.net.InetSocketAddress;

/**
 * One RFC 6062 TCP connection between a relayed address and a peer (§5.2 Connect, §5.3 incoming),
 * named by its CONNECTION-ID until the client binds a data connection to it (§5.4), then piped.
 */
final class TcpPeerConnection {
    /** RFC 6062 §5.3/§5.4: a connection not bound within 30 seconds is closed. */
    static final long BIND_TIMEOUT_MILLIS = 30_000;

    private final int id;
    private final TcpRelay relay;
    private final InetSocketAddress peer;
    private final Channel peerChannel;
    private final long bindDeadlineMillis;
    private Channel clientChannel;
    private boolean closed;

    TcpPeerConnection(int id, TcpRelay relay, InetSocketAddress peer, Channel peerChannel, long bindDeadlineMillis) {
        this.id = id;
        this.relay = relay;
        this.peer = peer;
        this.peerChannel = peerChannel;
        this.bindDeadlineMillis = bindDeadlineMillis;
    }

    int id() {
        return id;
    }

    TcpRelay relay() {
        return relay;
    }

    InetSocketAddress peer() {
        return peer;
    }

    boolean isBound() {
        return clientChannel != null;
    }

    boolean bindExpired(long nowMillis) {
        return clientChannel == null && nowMillis >= bindDeadlineMillis;
    }

    /** Joins the client's data connection to the peer connection; bytes flow both ways from now on. */
    void bind(Channel clientData, TurnMetrics metrics) {
        clientChannel = clientData;
        clientData.pipeline().addLast(new TcpPipeHandler(this, peerChannel, metrics, true));
        peerChannel.pipeline().get(TcpPipeHandler.class).partner(clientData);
        peerChannel.config().setAutoRead(true);
    }

    void close() {
        if (closed) {
            return;
        }
        closed = true;
        peerChannel.close();
        if (clientChannel != null) {
            clientChannel.close();
        }
        relay.forget(this);
    }
}
