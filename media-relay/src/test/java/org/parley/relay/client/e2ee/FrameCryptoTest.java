package org.parley.relay.client.e2ee;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Arrays;
import org.junit.jupiter.api.Test;
import org.parley.relay.client.MediaKind;

/** The frame transform: clear prefix, SFrame after it, key switches and the receiver's key ring. */
class FrameCryptoTest {

    private static final class Time extends Clock {
        Instant now = Instant.parse("2026-12-06T10:00:00Z");

        @Override
        public java.time.ZoneId getZone() {
            return ZoneOffset.UTC;
        }

        @Override
        public Clock withZone(java.time.ZoneId zone) {
            return this;
        }

        @Override
        public Instant instant() {
            return now;
        }
    }

    private final Time time = new Time();

    private static byte[] vp8(boolean key, int size) {
        byte[] f = new byte[size];
        for (int i = 0; i < size; i++) {
            f[i] = (byte) (i * 7 + 3);
        }
        f[0] = (byte) (key ? 0x10 : 0x11);
        return f;
    }

    @Test
    void theClearPrefixStaysReadableAndTheRestIsSframeWithTheSendersKid() {
        FrameEncryptor alice = new FrameEncryptor(time);
        SenderKey key = FrameEncryptor.newKey();
        alice.use(key);
        FrameDecryptor bob = new FrameDecryptor(time);
        bob.add("alice", key.kid(), key.baseKey());
        for (boolean keyframe : new boolean[] {true, false}) {
            byte[] frame = vp8(keyframe, 200);
            byte[] sent = alice.apply(MediaKind.VIDEO, frame);
            int clear = keyframe ? 10 : 3;
            assertArrayEquals(Arrays.copyOf(frame, clear), Arrays.copyOf(sent, clear));
            SframeHeader h = SframeHeader.decode(sent, clear, sent.length - clear);
            assertEquals(key.kid(), h.kid());
            assertEquals(frame.length + h.length() + 16, sent.length);
            assertFalse(Arrays.equals(Arrays.copyOfRange(frame, clear, frame.length),
                    Arrays.copyOfRange(sent, clear + h.length(), clear + h.length() + frame.length - clear)));
            assertArrayEquals(frame, bob.open(MediaKind.VIDEO, sent));
        }
        byte[] opus = {(byte) 0x78, 1, 2, 3, 4};
        byte[] sent = alice.apply(MediaKind.AUDIO, opus);
        assertEquals(0x78, sent[0] & 0xff);
        assertArrayEquals(opus, bob.open(MediaKind.AUDIO, sent));
        // an altered clear byte is noticed: the prefix is authenticated
        sent[0] ^= 0x04;
        assertNull(bob.open(MediaKind.AUDIO, sent));
        assertEquals(1, bob.failures());
    }

    @Test
    void aDelayedSwitchWaitsAndAnOldKeyOpensFramesForTenSecondsOnly() {
        FrameEncryptor alice = new FrameEncryptor(time);
        SenderKey first = FrameEncryptor.newKey();
        SenderKey second = FrameEncryptor.newKey();
        alice.use(first);
        FrameDecryptor bob = new FrameDecryptor(time);
        bob.add("alice", first.kid(), first.baseKey());
        byte[] old = alice.apply(MediaKind.VIDEO, vp8(false, 50));

        alice.useFrom(second, time.now.plusMillis(300));
        assertEquals(first.kid(), alice.current().kid());
        time.now = time.now.plusMillis(300);
        assertEquals(second.kid(), alice.current().kid());
        bob.add("alice", second.kid(), second.baseKey());
        byte[] fresh = alice.apply(MediaKind.VIDEO, vp8(false, 50));
        assertArrayEquals(vp8(false, 50), bob.open(MediaKind.VIDEO, fresh));
        time.now = time.now.plus(Duration.ofSeconds(9));
        assertArrayEquals(vp8(false, 50), bob.open(MediaKind.VIDEO, old), "old key still held");
        time.now = time.now.plus(Duration.ofSeconds(1));
        assertNull(bob.open(MediaKind.VIDEO, old), "old key gone 10 s after the new one came");
        assertArrayEquals(vp8(false, 50), bob.open(MediaKind.VIDEO, fresh));

        FrameDecryptor carol = new FrameDecryptor(time);
        carol.add("alice", first.kid(), first.baseKey());
        assertNull(carol.open(MediaKind.VIDEO, fresh), "only the old key: the new frames do not open");
        assertEquals(1, carol.failures());
    }
}
