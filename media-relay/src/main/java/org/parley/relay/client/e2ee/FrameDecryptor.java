package org.parley.relay.client.e2ee;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import javax.crypto.AEADBadTagException;
import org.parley.relay.client.MediaKind;

/**
 * A receiver's side of end-to-end encryption: the keys of every sender by KID, and the decryption
 * of transformed frames. A frame it cannot open (unknown KID, failed tag) is dropped and counted,
 * never handed on as if it were media. When a newer key of a sender arrives, that sender's older
 * keys stay usable for {@link #OLD_KEY_GRACE} (frames in flight), then go. Thread-safe.
 */
public final class FrameDecryptor {

    /** How long a sender's replaced key still opens frames (docs/e2ee.md, rekeying). */
    public static final Duration OLD_KEY_GRACE = Duration.ofSeconds(10);

    private record Held(String sender, SframeKey key, Instant expires) {
    }

    private final Clock clock;
    private final Map<Long, Held> byKid = new HashMap<>();
    private final AtomicLong decrypted = new AtomicLong();
    private final AtomicLong failures = new AtomicLong();
    private final AtomicLong withoutKey = new AtomicLong();

    public FrameDecryptor(Clock clock) {
        this.clock = clock;
    }

    /** Adds a key of {@code sender}; that sender's earlier keys expire {@link #OLD_KEY_GRACE} from now. */
    public synchronized void add(String sender, long kid, byte[] baseKey) {
        Instant now = clock.instant();
        Instant retire = now.plus(OLD_KEY_GRACE);
        byKid.replaceAll((k, h) -> h.sender().equals(sender) && h.expires() == null
                ? new Held(sender, h.key(), retire) : h);
        byKid.put(kid, new Held(sender, SframeKey.derive(baseKey, kid), null));
    }

    /** True when a key with this KID is held (and not expired). */
    public synchronized boolean has(long kid) {
        return key(kid) != null;
    }

    private SframeKey key(long kid) {
        Held h = byKid.get(kid);
        if (h == null) {
            return null;
        }
        if (h.expires() != null && !clock.instant().isBefore(h.expires())) {
            byKid.remove(kid);
            return null;
        }
        return h.key();
    }

    /**
     * The encoded frame inside a transformed one, or null (counted in {@link #failures()}) when it
     * cannot be opened: too short, no key for its KID, or an AEAD failure.
     */
    public byte[] open(MediaKind kind, byte[] transformed) {
        int clear = ClearPrefix.length(kind, transformed);
        byte[] prefix = java.util.Arrays.copyOf(transformed, clear);
        try {
            SframeHeader header = SframeHeader.decode(transformed, clear, transformed.length - clear);
            SframeKey key;
            synchronized (this) {
                key = key(header.kid());
            }
            if (key == null) {
                withoutKey.incrementAndGet();
                throw new AEADBadTagException("no key for KID " + header.kid());
            }
            byte[] body = Sframe.decrypt(key, header, prefix, transformed, clear, transformed.length - clear);
            byte[] frame = new byte[clear + body.length];
            System.arraycopy(prefix, 0, frame, 0, clear);
            System.arraycopy(body, 0, frame, clear, body.length);
            decrypted.incrementAndGet();
            return frame;
        } catch (AEADBadTagException | IllegalArgumentException e) {
            failures.incrementAndGet();
            return null;
        }
    }

    /** Frames opened. */
    public long decrypted() {
        return decrypted.get();
    }

    /** Frames dropped because they could not be opened (unknown KID or failed authentication). */
    public long failures() {
        return failures.get();
    }

    /**
     * The part of {@link #failures()} whose KID had no key: a frame of a key this receiver was
     * never given (a leaver), or one that overtook its key message (a sender switches 300 ms after
     * sending the key; signaling slower than that makes a few at a switch).
     */
    public long withoutKey() {
        return withoutKey.get();
    }
}
