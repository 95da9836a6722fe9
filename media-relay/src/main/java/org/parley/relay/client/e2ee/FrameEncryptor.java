package org.parley.relay.client.e2ee;

import java.security.SecureRandom;
import java.time.Clock;
import java.time.Instant;
import org.parley.relay.client.FrameTransform;
import org.parley.relay.client.MediaKind;

/**
 * A sender's end-to-end encryption of its encoded frames (docs/e2ee.md): the clear prefix, then
 * SFrame with the sender's current key. A new key can take effect at once (someone left: they must
 * not read what follows) or at a given instant (someone joined: their copy of the key must arrive
 * first). Thread-safe.
 */
public final class FrameEncryptor implements FrameTransform {

    private static final SecureRandom RANDOM = new SecureRandom();

    private final Clock clock;
    private SenderKey current;
    private SenderKey next;
    private Instant switchAt;

    public FrameEncryptor(Clock clock) {
        this.clock = clock;
    }

    /** A fresh sender key: 16 random bytes and a random 32-bit KID (never sent in the clear to the server). */
    public static SenderKey newKey() {
        byte[] base = new byte[SframeKey.KEY_BYTES];
        RANDOM.nextBytes(base);
        return new SenderKey(RANDOM.nextInt() & 0xFFFFFFFFL, base);
    }

    /** Encrypts with {@code key} from now on. */
    public synchronized void use(SenderKey key) {
        current = key;
        next = null;
        switchAt = null;
    }

    /** Encrypts with {@code key} from {@code at} on (the current key until then). */
    public synchronized void useFrom(SenderKey key, Instant at) {
        if (current == null) {
            use(key);
            return;
        }
        next = key;
        switchAt = at;
    }

    /** The key frames are encrypted with now, or null before the first. */
    public synchronized SenderKey current() {
        switchIfDue();
        return current;
    }

    private void switchIfDue() {
        if (next != null && !clock.instant().isBefore(switchAt)) {
            use(next);
        }
    }

    /** clear || SFrame(header, ciphertext, tag) with AAD header || clear (docs/e2ee.md, frame format). */
    @Override
    public byte[] apply(MediaKind kind, byte[] frame) {
        SenderKey key = current();
        if (key == null) {
            throw new IllegalStateException("no sender key yet: frames must not leave in the clear");
        }
        int clear = ClearPrefix.length(kind, frame);
        byte[] prefix = java.util.Arrays.copyOf(frame, clear);
        byte[] body = java.util.Arrays.copyOfRange(frame, clear, frame.length);
        byte[] sealed = Sframe.encrypt(key.sframeKey(), key.nextCounter(), prefix, body);
        byte[] out = new byte[clear + sealed.length];
        System.arraycopy(prefix, 0, out, 0, clear);
        System.arraycopy(sealed, 0, out, clear, sealed.length);
        return out;
    }
}
