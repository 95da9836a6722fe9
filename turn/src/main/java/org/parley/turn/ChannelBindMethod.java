package org.parley.turn;

import java.net.InetSocketAddress;
import org.parley.turn.stun.ChannelData;
import org.parley.turn.stun.ErrorCode;
import org.parley.turn.stun.StunAttribute;
import org.parley.turn.stun.StunParseException;

/** The ChannelBind request (RFC 8656 §11.2): binds a channel number to a peer and refreshes it. */
final class ChannelBindMethod {
    private final TurnContext ctx;

    ChannelBindMethod(TurnContext ctx) {
        this.ctx = ctx;
    }

    void handle(StunRequest r) {
        // 437 / 441 (RFC 8656 §6.3) when this 5-tuple holds no allocation of these credentials.
        Allocation allocation = r.ownAllocation();
        if (allocation == null) {
            return;
        }
        // RFC 6062 §4: TCP allocations carry data on their own connections, never on channels.
        byte[] channel = r.message.value(StunAttribute.CHANNEL_NUMBER);
        InetSocketAddress peer;
        try {
            peer = r.message.xorAddressOf(StunAttribute.XOR_PEER_ADDRESS);
        } catch (StunParseException e) {
            r.fail(ErrorCode.BAD_REQUEST);
            return;
        }
        // 1. CHANNEL-NUMBER present and in 0x4000-0x7FFF (see ChannelData), XOR-PEER-ADDRESS present -> else 400.
        if (allocation.tcp() != null || channel == null || channel.length != 4 || peer == null) {
            r.fail(ErrorCode.BAD_REQUEST);
            return;
        }
        int number = ((channel[0] & 0xFF) << 8) | (channel[1] & 0xFF);
        if (!ChannelData.isValidChannel(number)) {
            r.fail(ErrorCode.BAD_REQUEST);
            return;
        }
        // 4. Family of the peer must match a relayed address -> else 443.
        if (!allocation.servesFamilyOf(peer.getAddress())) {
            r.fail(ErrorCode.PEER_ADDRESS_FAMILY_MISMATCH);
            return;
        }
        if (!ctx.policy().isAllowed(peer.getAddress())) {
            ctx.metrics().peerDenied();
            r.fail(ErrorCode.FORBIDDEN);
            return;
        }
        // 2./3. The number is bound to another peer, or the peer to another number -> 400; an expired
        // binding still holds both for 5 minutes (RFC 8656 §12).
        long now = ctx.now();
        if (!allocation.mayBindChannel(number, peer, now)) {
            r.fail(ErrorCode.BAD_REQUEST);
            return;
        }
        allocation.bindChannel(number, peer, now + ctx.config().channelLifetimeSeconds() * 1000L);
        // §11.2: binding a channel also installs or refreshes the permission for the peer's IP.
        allocation.installPermission(peer.getAddress(), now + ctx.config().permissionLifetimeSeconds() * 1000L);
        r.succeed(w -> { });
    }
}
