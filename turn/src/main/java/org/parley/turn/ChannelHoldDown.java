package org.parley.turn;

import io.netty.util.collection.IntObjectHashMap;
import java.net.InetSocketAddress;
import java.util.HashMap;
import java.util.Iterator;
import java.util.Map;

/**
 * Channel bindings that have expired but are still held down (RFC 8656 §12): for 5 minutes after a
 * binding expires, its channel number may not be bound to another peer and its peer may not be bound
 * to another number, so that ChannelData still in flight for the old binding is never taken for the
 * new one. A ChannelBind of the same number to the same peer in that time revives the binding
 * (§11.2 treats it as a refresh). Held bindings carry no data: they are not in the allocation's
 * active maps, so ChannelData on them is dropped as on any unbound channel.
 */
final class ChannelHoldDown {
    /** RFC 8656 §12: "the client MUST wait 5 minutes after a channel binding expires". */
    static final long HOLD_DOWN_MILLIS = 5 * 60 * 1000L;

    private final IntObjectHashMap<ChannelBinding> byNumber = new IntObjectHashMap<>();
    private final Map<InetSocketAddress, ChannelBinding> byPeer = new HashMap<>();

    /** Starts the hold-down of a binding that has just expired. */
    void hold(ChannelBinding expired) {
        byNumber.put(expired.number(), expired);
        byPeer.put(expired.peer(), expired);
    }

    /**
     * True when binding {@code number} to {@code peer} would reuse a held number for another peer or
     * a held peer for another number (RFC 8656 §11.2 then answers 400).
     */
    boolean forbids(int number, InetSocketAddress peer, long nowMillis) {
        ChannelBinding n = byNumber.get(number);
        ChannelBinding p = byPeer.get(peer);
        return (isHeld(n, nowMillis) && !n.peer().equals(peer)) || (isHeld(p, nowMillis) && p.number() != number);
    }

    /** Removes and returns the held binding of {@code number} to {@code peer}, or null (to revive it). */
    ChannelBinding release(int number, InetSocketAddress peer) {
        ChannelBinding b = byNumber.get(number);
        if (b == null || !b.peer().equals(peer)) {
            return null;
        }
        byNumber.remove(number);
        byPeer.remove(peer, b);
        return b;
    }

    /**
     * Forgets bindings whose hold-down has passed. The two maps are swept on their own: a newer held
     * binding may have replaced an older one in one map only.
     */
    void sweep(long nowMillis) {
        for (Iterator<ChannelBinding> it = byNumber.values().iterator(); it.hasNext(); ) {
            if (!isHeld(it.next(), nowMillis)) {
                it.remove();
            }
        }
        byPeer.values().removeIf(b -> !isHeld(b, nowMillis));
    }

    int size() {
        return byNumber.size();
    }

    /** Held from the binding's expiry until 5 minutes later. */
    static boolean isHeld(ChannelBinding b, long nowMillis) {
        return b != null && nowMillis < b.expiresAtMillis() + HOLD_DOWN_MILLIS;
    }
}
