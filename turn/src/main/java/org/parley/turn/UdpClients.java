package org.parley.turn;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import java.net.InetSocketAddress;
import java.util.HashMap;
import java.util.Map;
import org.parley.turn.stun.ChannelData;
import org.parley.turn.stun.StunMessage;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The clients of one UDP listening socket, whichever way the socket is read: tells STUN from
 * ChannelData by the first two bits (RFC 8656 §12) and finds the sender's allocation by its address.
 * Nothing thrown leaves {@link #onDatagram}. Confined to the event loop.
 */
final class UdpClients {
    private static final Logger LOG = LoggerFactory.getLogger(UdpClients.class);

    private final TurnContext ctx;
    private final StunDispatcher dispatcher;
    private final DatagramSender sender;
    private final ByteBufAllocator alloc;
    /** Clients of this socket that hold an allocation. */
    private final Map<InetSocketAddress, UdpClientLink> links = new HashMap<>();

    UdpClients(TurnContext ctx, StunDispatcher dispatcher, DatagramSender sender, ByteBufAllocator alloc) {
        this.ctx = ctx;
        this.dispatcher = dispatcher;
        this.sender = sender;
        this.alloc = alloc;
    }

    /**
     * One datagram, the readable bytes of {@code buf}, from {@code client} to {@code server} (this
     * socket's address). {@code buf} is neither kept nor released here.
     */
    void onDatagram(ByteBuf buf, InetSocketAddress client, InetSocketAddress server) {
        try {
            UdpClientLink link = links.get(client);
            if (ChannelData.looksLikeChannelData(buf)) {
                if (link != null && link.allocation != null) {
                    link.allocation.relayChannelData(buf);
                }
            } else if (StunMessage.looksLikeStun(buf)) {
                if (link == null) {
                    link = new UdpClientLink(alloc, sender, client, server, links);
                }
                dispatcher.onStun(link, buf);
            } else {
                ctx.metrics().malformed();
            }
        } catch (RuntimeException e) {
            ctx.metrics().malformed();
            LOG.debug("dropping datagram from {}: {}", client, e.toString());
        }
    }

    /** The socket is closed: frees what the sender holds. */
    void close() {
        sender.release();
    }
}
