package org.parley.turn;

import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;
import org.parley.turn.stun.ErrorCode;
import org.parley.turn.stun.StunAttribute;
import org.parley.turn.stun.StunParseException;

/** The CreatePermission request (RFC 8656 §9.2): installs or refreshes permissions for peer IPs. */
final class CreatePermissionMethod {
    private final TurnContext ctx;

    CreatePermissionMethod(TurnContext ctx) {
        this.ctx = ctx;
    }

    void handle(StunRequest r) {
        // 437 / 441 (RFC 8656 §6.3) when this 5-tuple holds no allocation of these credentials.
        Allocation allocation = r.ownAllocation();
        if (allocation == null) {
            return;
        }
        // 1. At least one XOR-PEER-ADDRESS (several are allowed) -> else 400.
        List<InetSocketAddress> peers = new ArrayList<>();
        try {
            for (int i = 0; i < r.message.attributeCount(); i++) {
                if (r.message.attributeType(i) == StunAttribute.XOR_PEER_ADDRESS) {
                    peers.add(r.message.xorAddress(i));
                }
            }
        } catch (StunParseException e) {
            r.fail(ErrorCode.BAD_REQUEST);
            return;
        }
        if (peers.isEmpty()) {
            r.fail(ErrorCode.BAD_REQUEST);
            return;
        }
        // 2./3. Every peer must match a relayed family (443) and be allowed by policy (403); if any
        //       fails, none is installed.
        for (InetSocketAddress peer : peers) {
            if (!allocation.servesFamilyOf(peer.getAddress())) {
                r.fail(ErrorCode.PEER_ADDRESS_FAMILY_MISMATCH);
                return;
            }
            if (!ctx.policy().isAllowed(peer.getAddress())) {
                ctx.metrics().peerDenied();
                r.fail(ErrorCode.FORBIDDEN);
                return;
            }
        }
        long expiry = ctx.now() + ctx.config().permissionLifetimeSeconds() * 1000L;
        for (InetSocketAddress peer : peers) {
            allocation.installPermission(peer.getAddress(), expiry);
        }
        r.succeed(w -> { });
    }
}
