package org.parley.turn;

import org.parley.turn.stun.ErrorCode;
import org.parley.turn.stun.StunAttribute;
import org.parley.turn.stun.StunParseException;
import org.parley.turn.stun.XorAddress;

/** The Refresh request (RFC 8656 §7.3): extends an allocation, or deletes it with LIFETIME 0. */
final class RefreshMethod {
    private final TurnContext ctx;

    RefreshMethod(TurnContext ctx) {
        this.ctx = ctx;
    }

    void handle(StunRequest r) {
        // 1. 437 / 441 (RFC 8656 §6.3) when this 5-tuple holds no allocation of these credentials.
        Allocation allocation = r.ownAllocation();
        if (allocation == null) {
            return;
        }
        long requested;
        try {
            requested = r.message.uint32(StunAttribute.LIFETIME, AllocateMethod.DEFAULT_LIFETIME_SECONDS);
        } catch (StunParseException e) {
            r.fail(ErrorCode.BAD_REQUEST);
            return;
        }
        // 2. REQUESTED-ADDRESS-FAMILY naming a family the allocation lacks -> 443.
        byte[] family = r.message.value(StunAttribute.REQUESTED_ADDRESS_FAMILY);
        if (family != null && requested != 0) {
            int f = family.length == 4 ? family[0] & 0xFF : -1;
            boolean has = f == XorAddress.FAMILY_IPV4 ? allocation.ipv4() != null
                    : f == XorAddress.FAMILY_IPV6 && allocation.ipv6() != null;
            if (!has) {
                r.fail(ErrorCode.PEER_ADDRESS_FAMILY_MISMATCH);
                return;
            }
        }
        if (requested == 0) {
            // 3. Lifetime 0 deletes the allocation at once.
            ctx.table().remove(allocation);
            r.succeed(w -> w.uint32(StunAttribute.LIFETIME, 0));
            return;
        }
        long lifetime = Math.max(AllocateMethod.DEFAULT_LIFETIME_SECONDS,
                Math.min(requested, ctx.config().maxAllocateLifetimeSeconds()));
        allocation.setExpiresAtMillis(ctx.now() + lifetime * 1000);
        r.succeed(w -> w.uint32(StunAttribute.LIFETIME, lifetime));
    }
}
