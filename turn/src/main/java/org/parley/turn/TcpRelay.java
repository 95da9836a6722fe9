package org.parley.turn;

import io.netty.bootstrap.Bootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelOption;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.Consumer;
import org.parley.turn.stun.StunAttribute;
import org.parley.turn.stun.StunClass;
import org.parley.turn.stun.StunMessageWriter;
import org.parley.turn.stun.StunMethod;

/**
 * The relayed side of an RFC 6062 TCP allocation: a listening socket on the relayed address for
 * peers to connect to (§5.3), outgoing connections to peers (§5.2), and the connections it holds.
 */
final class TcpRelay {
    private static final int CONNECT_TIMEOUT_MILLIS = 10_000;

    private final TurnContext ctx;
    private final Channel listener;
    private final InetSocketAddress bound;
    private final InetSocketAddress advertised;
    private final Map<Integer, TcpPeerConnection> connections = new HashMap<>();
    private final Map<InetSocketAddress, Integer> byPeer = new HashMap<>();
    private Allocation allocation;

    private TcpRelay(TurnContext ctx, Channel listener, InetSocketAddress bound) {
        this.ctx = ctx;
        this.listener = listener;
        this.bound = bound;
        this.advertised = ctx.relayAddresses().advertised(bound);
    }

    /** A listening relayed socket on {@code ip}, or null when no relay port is free. */
    static TcpRelay open(TurnContext ctx, InetAddress ip) {
        TcpRelayListenerHandler handler = new TcpRelayListenerHandler();
        Channel channel = ctx.ports().bindTcp(ip, handler);
        if (channel == null) {
            return null;
        }
        TcpRelay relay = new TcpRelay(ctx, channel, (InetSocketAddress) channel.localAddress());
        handler.relay = relay;
        return relay;
    }

    void attach(Allocation allocation) {
        this.allocation = allocation;
    }

    InetSocketAddress bound() {
        return bound;
    }

    InetSocketAddress advertised() {
        return advertised;
    }

    boolean hasConnectionTo(InetSocketAddress peer) {
        return byPeer.containsKey(peer);
    }

    /**
     * §5.3: a peer connected to the relayed address. Without a permission for its IP it is closed;
     * otherwise the client hears of it in a ConnectionAttempt indication and has 30 s to bind.
     */
    void onPeerConnected(Channel child) {
        InetSocketAddress peer = (InetSocketAddress) child.remoteAddress();
        if (allocation == null || allocation.isClosed() || !allocation.hasPermission(peer.getAddress())
                || byPeer.containsKey(peer)) {
            child.unsafe().closeForcibly();
            return;
        }
        child.config().setAutoRead(false);
        TcpPeerConnection connection = track(peer, child);
        child.pipeline().addLast(new TcpPipeHandler(connection, null, ctx.metrics(), false));
        ctx.loop().register(child);
        ClientLink link = allocation.link();
        ByteBuf out = link.alloc().heapBuffer(64);
        StunMessageWriter.start(out, StunMethod.CONNECTION_ATTEMPT, StunClass.INDICATION, Transactions.newId())
                .uint32(StunAttribute.CONNECTION_ID, connection.id() & 0xFFFFFFFFL)
                .xorAddress(StunAttribute.XOR_PEER_ADDRESS, peer)
                .finishWithFingerprint();
        link.send(out);
    }

    /** §5.2: opens a connection from the relayed address to {@code peer}. */
    void connect(InetSocketAddress peer, Consumer<TcpPeerConnection> onConnected, Runnable onFailure) {
        byPeer.put(peer, 0); // in progress: a second Connect to the same peer gets 446
        Bootstrap b = new Bootstrap().group(ctx.loop()).channel(NettyTransport.socketChannelClass())
                .option(ChannelOption.AUTO_READ, false)
                .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, CONNECT_TIMEOUT_MILLIS)
                .option(NettyTransport.reusePort(), true)
                .handler(new io.netty.channel.ChannelInitializer<Channel>() {
                    @Override
                    protected void initChannel(Channel ch) {
                        // handlers are added once the connection is up
                    }
                });
        b.connect(peer, bound).addListener((ChannelFutureListener) f -> {
            if (!f.isSuccess()) {
                // The relayed port may refuse sharing; fall back to any port of the relay address.
                Bootstrap fallback = b.clone().option(NettyTransport.reusePort(), false);
                fallback.connect(peer, new InetSocketAddress(bound.getAddress(), 0))
                        .addListener((ChannelFutureListener) g -> connected(g, peer, onConnected, onFailure));
                return;
            }
            connected(f, peer, onConnected, onFailure);
        });
    }

    private void connected(io.netty.channel.ChannelFuture f, InetSocketAddress peer,
            Consumer<TcpPeerConnection> onConnected, Runnable onFailure) {
        if (!f.isSuccess() || allocation == null || allocation.isClosed()) {
            byPeer.remove(peer);
            f.channel().close();
            onFailure.run();
            return;
        }
        Channel ch = f.channel();
        TcpPeerConnection connection = track(peer, ch);
        ch.pipeline().addLast(new TcpPipeHandler(connection, null, ctx.metrics(), false));
        onConnected.accept(connection);
    }

    private TcpPeerConnection track(InetSocketAddress peer, Channel ch) {
        int id;
        do {
            id = ThreadLocalRandom.current().nextInt();
        } while (id == 0 || ctx.table().hasConnectionId(id));
        TcpPeerConnection connection = new TcpPeerConnection(id, this, peer, ch,
                ctx.now() + TcpPeerConnection.BIND_TIMEOUT_MILLIS);
        connections.put(id, connection);
        byPeer.put(peer, id);
        ctx.table().addConnection(connection);
        ctx.metrics().tcpConnections.incrementAndGet();
        return connection;
    }

    void forget(TcpPeerConnection connection) {
        if (connections.remove(connection.id()) != null) {
            byPeer.remove(connection.peer());
            ctx.table().removeConnection(connection);
            ctx.metrics().tcpConnections.decrementAndGet();
        }
    }

    Allocation allocation() {
        return allocation;
    }

    void sweep(long nowMillis) {
        for (TcpPeerConnection c : new ArrayList<>(connections.values())) {
            if (c.bindExpired(nowMillis)) {
                c.close();
            }
        }
    }

    void close() {
        listener.close();
        new ArrayList<>(connections.values()).forEach(TcpPeerConnection::close);
    }
}
