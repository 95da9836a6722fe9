package org.parley.relay.client.e2ee;

import java.util.concurrent.atomic.AtomicLong;

/**
 * One sender key: the 16-byte base key shared with the other members, its KID, and the frame
 * counter (RFC 9605 §4.4.3: a counter never repeats under one key, or GCM's nonce would).
 */
public final class SenderKey {

    private final long kid;
    private final byte[] baseKey;
    private final SframeKey derived;
    private final AtomicLong counter = new AtomicLong();

    public SenderKey(long kid, byte[] baseKey) {
        this.kid = kid;
        this.baseKey = baseKey.clone();
        this.derived = SframeKey.derive(baseKey, kid);
    }

    public long kid() {
        return kid;
    }

    /** The base key, to be wrapped for each member (never given to the server in the clear). */
    public byte[] baseKey() {
        return baseKey.clone();
    }

    SframeKey sframeKey() {
        return derived;
    }

    long nextCounter() {
        return counter.getAndIncrement();
    }
}
