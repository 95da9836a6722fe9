package org.parley.turn;

import io.netty.channel.Channel;
import java.net.InetSocketAddress;
import org.parley.turn.stun.ErrorCode;
import org.parley.turn.stun.StunAttribute;
import org.parley.turn.stun.StunParseException;

/** The RFC 6062 requests: Connect (§5.2) on the control connection, ConnectionBind (§5.4) on a data one. */
final class TcpRelayMethods {
    private final TurnContext ctx;

    TcpRelayMethods(TurnContext ctx) {
        this.ctx = ctx;
    }

    void connect(StunRequest r) {
        // 437 / 441 (RFC 8656 §6.3) when this 5-tuple holds no allocation of these credentials.
        Allocation allocation = r.ownAllocation();
        if (allocation == null) {
            return;
        }
        InetSocketAddress peer;
        try {
            peer = r.message.xorAddressOf(StunAttribute.XOR_PEER_ADDRESS);
        } catch (StunParseException e) {
            peer = null;
        }
        // §5.2: only on a TCP allocation, and XOR-PEER-ADDRESS is required -> else 400.
        TcpRelay relay = allocation.tcp();
        if (relay == null || peer == null) {
            r.fail(ErrorCode.BAD_REQUEST);
            return;
        }
        if (!allocation.servesFamilyOf(peer.getAddress())) {
            r.fail(ErrorCode.PEER_ADDRESS_FAMILY_MISMATCH);
            return;
        }
        if (!ctx.policy().isAllowed(peer.getAddress())) {
            ctx.metrics().peerDenied();
            r.fail(ErrorCode.FORBIDDEN);
            return;
        }
        // §5.2: a connection to this peer exists or is being made -> 446.
        if (relay.hasConnectionTo(peer)) {
            r.fail(ErrorCode.CONNECTION_ALREADY_EXISTS);
            return;
        }
        // The peer will answer on this connection, so it also needs a permission (§5.2, RFC 8656 §9).
        allocation.installPermission(peer.getAddress(),
                ctx.now() + ctx.config().permissionLifetimeSeconds() * 1000L);
        relay.connect(peer,
                connection -> r.succeed(w -> w.uint32(StunAttribute.CONNECTION_ID, connection.id() & 0xFFFFFFFFL)),
                () -> r.fail(ErrorCode.CONNECTION_TIMEOUT_OR_FAILURE));
    }

    /**
     * §5.4: the client opened a new connection to bind to a CONNECTION-ID. On success this connection
     * stops speaking STUN and becomes a byte pipe to the peer.
     */
    void connectionBind(StunRequest r) {
        if (!(r.link instanceof TcpClientLink link) || link.allocation != null) {
            r.fail(ErrorCode.BAD_REQUEST);
            return;
        }
        long id;
        try {
            id = r.message.uint32(StunAttribute.CONNECTION_ID, -1);
        } catch (StunParseException e) {
            id = -1;
        }
        TcpPeerConnection connection = id < 0 ? null : ctx.table().connection((int) id);
        if (connection == null || connection.isBound()) {
            r.fail(ErrorCode.BAD_REQUEST);
            return;
        }
        Allocation allocation = connection.relay().allocation();
        if (allocation == null || !allocation.username().equals(r.username)) {
            r.fail(ErrorCode.WRONG_CREDENTIALS);
            return;
        }
        r.succeed(w -> { });
        Channel ch = link.channel();
        // Hand the connection over: the pipe joins first, then the STUN framing leaves; bytes the
        // decoder still holds pass on to the pipe.
        connection.bind(ch, ctx.metrics());
        ch.pipeline().remove(TcpClientHandler.class);
        ch.pipeline().remove(StreamFrameDecoder.class);
    }
}
