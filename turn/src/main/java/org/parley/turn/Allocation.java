package org.parley.turn;

import io.netty.buffer.ByteBuf;
import io.netty.util.collection.IntObjectHashMap;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.HashMap;
import java.util.Iterator;
import java.util.Map;
import org.parley.turn.stun.ChannelData;
import org.parley.turn.stun.StunAttribute;
import org.parley.turn.stun.StunClass;
import org.parley.turn.stun.StunMessageWriter;
import org.parley.turn.stun.StunMethod;

/**
 * An allocation (RFC 8656 §7): relayed transport address(es) given to one client 5-tuple, with its
 * permissions and channel bindings, until it expires or is refreshed with lifetime 0. Confined to
 * the server's event loop.
 */
final class Allocation {
    private final ClientLink link;
    private final String username;
    private final String user;
    private final TurnMetrics metrics;
    private final java.time.Clock clock;
    private final UdpRelay ipv4;
    private final UdpRelay ipv6;
    private final TcpRelay tcp;
    private final Map<InetAddress, Permission> permissions = new HashMap<>();
    private final IntObjectHashMap<ChannelBinding> channelsByNumber = new IntObjectHashMap<>();
    private final Map<InetSocketAddress, ChannelBinding> channelsByPeer = new HashMap<>();
    private final ChannelHoldDown heldChannels = new ChannelHoldDown();
    private final BandwidthLimit toPeerLimit;
    private final BandwidthLimit toClientLimit;
    private long expiresAtMillis;
    /** The transaction and answer of the Allocate that made this, for retransmissions (RFC 8656 §7.2). */
    private byte[] allocateTransaction;
    private byte[] allocateResponse;
    private boolean closed;

    Allocation(ClientLink link, String username, String user, UdpRelay ipv4, UdpRelay ipv6, TcpRelay tcp,
            long maxBps, TurnMetrics metrics, java.time.Clock clock) {
        this.link = link;
        this.username = username;
        this.user = user;
        this.ipv4 = ipv4;
        this.ipv6 = ipv6;
        this.tcp = tcp;
        this.metrics = metrics;
        this.clock = clock;
        long now = clock.millis();
        this.toPeerLimit = maxBps > 0 ? new BandwidthLimit(maxBps, now) : null;
        this.toClientLimit = maxBps > 0 ? new BandwidthLimit(maxBps, now) : null;
    }

    ClientLink link() {
        return link;
    }

    /** The credential that made this allocation; only it may act on it (RFC 8656 §6.3). */
    String username() {
        return username;
    }

    /** The user behind the credential, whom {@code user-quota} counts. */
    String user() {
        return user;
    }

    UdpRelay ipv4() {
        return ipv4;
    }

    UdpRelay ipv6() {
        return ipv6;
    }

    TcpRelay tcp() {
        return tcp;
    }

    boolean isClosed() {
        return closed;
    }

    /** True when the allocation has a relayed address of {@code peer}'s family (RFC 8656 §9.2: else 443). */
    boolean servesFamilyOf(InetAddress peer) {
        if (tcp != null) {
            return tcp.bound().getAddress().getAddress().length == peer.getAddress().length;
        }
        return peer.getAddress().length == 4 ? ipv4 != null : ipv6 != null;
    }

    long expiresAtMillis() {
        return expiresAtMillis;
    }

    void setExpiresAtMillis(long at) {
        expiresAtMillis = at;
    }

    void rememberAllocate(byte[] transactionId, byte[] response) {
        allocateTransaction = transactionId;
        allocateResponse = response;
    }

    byte[] allocateTransaction() {
        return allocateTransaction;
    }

    byte[] allocateResponse() {
        return allocateResponse;
    }

    // --- permissions (RFC 8656 §9) ---

    void installPermission(InetAddress peer, long expiresAtMillis) {
        Permission p = permissions.get(peer);
        if (p == null) {
            permissions.put(peer, new Permission(peer, expiresAtMillis));
            metrics.permissions.incrementAndGet();
        } else {
            p.refresh(expiresAtMillis);
        }
    }

    boolean hasPermission(InetAddress peer) {
        return permissions.containsKey(peer);
    }

    // --- channels (RFC 8656 §11) ---

    ChannelBinding channel(int number) {
        return channelsByNumber.get(number);
    }

    ChannelBinding channelFor(InetSocketAddress peer) {
        return channelsByPeer.get(peer);
    }

    void bindChannel(int number, InetSocketAddress peer, long expiresAtMillis) {
        ChannelBinding b = channelsByNumber.get(number);
        if (b == null) {
            b = revivedChannel(number, peer, expiresAtMillis);
            channelsByNumber.put(number, b);
            channelsByPeer.put(peer, b);
            metrics.channels.incrementAndGet();
        } else {
            b.refresh(expiresAtMillis);
        }
    }

    // --- channel hold-down (RFC 8656 §11.2, §12) ---

    /**
     * RFC 8656 §11.2: 400 unless the number is free or bound to this peer and the peer is free or
     * bound to this number. §12: an expired binding keeps both for 5 minutes, so they count as bound
     * until then (a rebind of the same number to the same peer revives the binding).
     */
    boolean mayBindChannel(int number, InetSocketAddress peer, long nowMillis) {
        ChannelBinding byNumber = channelsByNumber.get(number);
        ChannelBinding byPeer = channelsByPeer.get(peer);
        if ((byNumber != null && !byNumber.peer().equals(peer)) || (byPeer != null && byPeer.number() != number)) {
            return false;
        }
        return !heldChannels.forbids(number, peer, nowMillis);
    }

    /** The held binding of {@code number} to {@code peer} refreshed, or a new binding. */
    private ChannelBinding revivedChannel(int number, InetSocketAddress peer, long expiresAtMillis) {
        ChannelBinding held = heldChannels.release(number, peer);
        if (held == null) {
            return new ChannelBinding(number, peer, expiresAtMillis);
        }
        held.refresh(expiresAtMillis);
        return held;
    }

    /** Drops expired permissions and channel bindings (RFC 8656 §9, §11). */
    void sweep(long nowMillis) {
        for (Iterator<Permission> it = permissions.values().iterator(); it.hasNext(); ) {
            if (it.next().expiresAtMillis() <= nowMillis) {
                it.remove();
                metrics.permissions.decrementAndGet();
            }
        }
        for (Iterator<ChannelBinding> it = channelsByNumber.values().iterator(); it.hasNext(); ) {
            ChannelBinding b = it.next();
            if (b.expiresAtMillis() <= nowMillis) {
                it.remove();
                channelsByPeer.remove(b.peer());
                metrics.channels.decrementAndGet();
                heldChannels.hold(b);
            }
        }
        heldChannels.sweep(nowMillis);
        if (tcp != null) {
            tcp.sweep(nowMillis);
        }
    }

    // --- data path ---

    /**
     * Client to peer (Send indication data or ChannelData payload): {@code length} bytes of
     * {@code buf} from {@code index}; {@code buf} is not released here.
     */
    void relayToPeer(ByteBuf buf, int index, int length, InetSocketAddress peer) {
        UdpRelay relay = peer.getAddress() instanceof Inet4Address ? ipv4 : ipv6;
        // RFC 8656 §10.2 / §12.6: without a permission for the peer's IP the data is discarded.
        if (relay == null || !permissions.containsKey(peer.getAddress())) {
            metrics.droppedNoPermission++;
            return;
        }
        if (toPeerLimit != null && !toPeerLimit.tryConsume(length, clock.millis())) {
            metrics.droppedBandwidth++;
            return;
        }
        metrics.packetsToPeer++;
        metrics.bytesToPeer += length;
        relay.send(buf, index, length, peer);
    }

    /** ChannelData from the client (RFC 8656 §12.6); {@code frame} is not released here. */
    void relayChannelData(ByteBuf frame) {
        int at = frame.readerIndex();
        int number = frame.getUnsignedShort(at);
        int length = frame.getUnsignedShort(at + 2);
        ChannelBinding binding = channelsByNumber.get(number);
        if (binding == null || length > frame.readableBytes() - ChannelData.HEADER_LENGTH) {
            metrics.droppedNoPermission++;
            return;
        }
        relayToPeer(frame, at + ChannelData.HEADER_LENGTH, length, binding.peer());
    }

    /**
     * Peer to client (RFC 8656 §11.3, §12.7): {@code length} bytes of {@code buf} from {@code index},
     * sent as ChannelData when a channel is bound to the peer, else in a Data indication; dropped
     * without a permission. {@code buf} is not kept or released here.
     */
    void relayToClient(ByteBuf buf, int index, int length, InetSocketAddress peer) {
        if (closed || !permissions.containsKey(peer.getAddress())) {
            metrics.droppedNoPermission++;
            return;
        }
        if (toClientLimit != null && !toClientLimit.tryConsume(length, clock.millis())) {
            metrics.droppedBandwidth++;
            return;
        }
        metrics.packetsToClient++;
        metrics.bytesToClient += length;
        ChannelBinding binding = channelsByPeer.get(peer);
        if (binding != null) {
            link.sendChannelData(binding.number(), buf, index, length);
        } else {
            ByteBuf out = link.alloc().ioBuffer(48 + length);
            StunMessageWriter.start(out, StunMethod.DATA, StunClass.INDICATION, Transactions.newId())
                    .xorAddress(StunAttribute.XOR_PEER_ADDRESS, peer)
                    .bytes(StunAttribute.DATA, buf, index, length)
                    .finish();
            link.send(out);
        }
    }

    /** Releases the relayed addresses and forgets permissions and channels. */
    void close() {
        if (closed) {
            return;
        }
        closed = true;
        metrics.permissions.addAndGet(-permissions.size());
        metrics.channels.addAndGet(-channelsByNumber.size());
        permissions.clear();
        channelsByNumber.clear();
        channelsByPeer.clear();
        if (ipv4 != null) {
            ipv4.close();
        }
        if (ipv6 != null) {
            ipv6.close();
        }
        if (tcp != null) {
            tcp.close();
        }
        link.detach();
    }

    @Override
    public String toString() {
        return "allocation of " + username + " for " + link.fiveTuple();
    }
}
