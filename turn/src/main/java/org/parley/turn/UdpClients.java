package org.parley.turn;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.util.collection.LongObjectHashMap;
import java.net.Inet4Address;
import java.net.InetSocketAddress;
import java.util.HashMap;
import java.util.Map;
import org.parley.netio.NativeDatagramBatch;
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
    /**
     * The IPv4 ones of {@link #links} again, by {@link #ipv4Key}: a batch read gives the sender as
     * bytes, and ChannelData from a known client is relayed without making an address object.
     */
    private final LongObjectHashMap<UdpClientLink> ipv4Links = new LongObjectHashMap<>();

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
                    link = new UdpClientLink(alloc, sender, client, server, this);
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

    /**
     * Datagram {@code i} of {@code batch}, the readable bytes of {@code buf}. ChannelData from a client
     * with an IPv4 address is relayed without a new object; anything else takes
     * {@link #onDatagram(ByteBuf, InetSocketAddress, InetSocketAddress)}.
     */
    void onDatagram(ByteBuf buf, NativeDatagramBatch batch, int i, InetSocketAddress server) {
        if (batch.senderAddressLength(i) == 4 && ChannelData.looksLikeChannelData(buf)) {
            UdpClientLink link = ipv4Links.get(ipv4Key(batch.senderAddress(i), batch.senderPort(i)));
            if (link != null && link.allocation != null) {
                try {
                    link.allocation.relayChannelData(buf);
                } catch (RuntimeException e) {
                    ctx.metrics().malformed();
                    LOG.debug("dropping ChannelData from {}: {}", link.fiveTuple(), e.toString());
                }
                return;
            }
        }
        InetSocketAddress client = batch.sender(i);
        if (client == null) {
            ctx.metrics().malformed();
            return;
        }
        onDatagram(buf, client, server);
    }

    /** {@code link} has an allocation now: its datagrams are looked up from now on. */
    void register(UdpClientLink link, InetSocketAddress client) {
        links.put(client, link);
        if (client.getAddress() instanceof Inet4Address ip) {
            ipv4Links.put(ipv4Key(ip.getAddress(), client.getPort()), link);
        }
    }

    /** {@code link}'s allocation is gone. */
    void unregister(UdpClientLink link, InetSocketAddress client) {
        if (links.remove(client, link) && client.getAddress() instanceof Inet4Address ip) {
            ipv4Links.remove(ipv4Key(ip.getAddress(), client.getPort()));
        }
    }

    private static long ipv4Key(byte[] ip, int port) {
        return (ip[0] & 0xffL) << 40 | (ip[1] & 0xffL) << 32 | (ip[2] & 0xffL) << 24 | (ip[3] & 0xffL) << 16 | port;
    }

    /** The socket is closed: frees what the sender holds. */
    void close() {
        sender.release();
    }
}
