package org.parley.relay.client.e2ee;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/** Identity keys, the key payload and the safety code of docs/e2ee.md, between Java devices. */
class KeyExchangeTest {

    @Test
    void aWrappedKeyOpensOnlyForItsRecipientInItsContext() {
        IdentityKeys alice = IdentityKeys.generate();
        IdentityKeys bob = IdentityKeys.generate();
        IdentityKeys eve = IdentityKeys.generate();
        SenderKey key = FrameEncryptor.newKey();
        String payload = KeyWrap.wrap(alice, IdentityKeys.point(bob.publicKey()), "r-room", key);

        KeyWrap.Unwrapped got = KeyWrap.unwrap(bob, alice.publicPoint(), "r-room", payload);
        assertEquals(key.kid(), got.kid());
        assertArrayEquals(key.baseKey(), got.baseKey());
        assertThrows(IllegalArgumentException.class, () -> KeyWrap.unwrap(eve, alice.publicPoint(), "r-room", payload));
        assertThrows(IllegalArgumentException.class, () -> KeyWrap.unwrap(bob, alice.publicPoint(), "r-other", payload));
        assertThrows(IllegalArgumentException.class, () -> KeyWrap.unwrap(bob, eve.publicPoint(), "r-room", payload));
        assertThrows(IllegalArgumentException.class, () -> KeyWrap.unwrap(bob, alice.publicPoint(), "r-room", "AAAA"));
    }

    @Test
    void identityKeysAreRawUncompressedPointsAndBothSidesShareTheSameSecret() {
        IdentityKeys a = IdentityKeys.generate();
        IdentityKeys b = IdentityKeys.generate();
        assertEquals(87, a.publicKey().length());
        assertEquals(0x04, a.publicPoint()[0]);
        assertArrayEquals(a.sharedSecret(b.publicPoint()), b.sharedSecret(a.publicPoint()));
        assertEquals(32, a.sharedSecret(b.publicPoint()).length);
        byte[] offCurve = b.publicPoint();
        offCurve[64] ^= 1;
        assertThrows(IllegalArgumentException.class, () -> a.sharedSecret(offCurve));
    }

    @Test
    void theSafetyCodeIsTheSameWhateverTheOrderAndChangesWithAnyKey() {
        byte[] a = IdentityKeys.generate().publicPoint();
        byte[] b = IdentityKeys.generate().publicPoint();
        byte[] c = IdentityKeys.generate().publicPoint();
        String code = SafetyCode.of(List.of(a, b));
        assertTrue(Pattern.matches("\\d{5} \\d{5} \\d{5} \\d{5} \\d{5}", code), code);
        assertEquals(code, SafetyCode.of(List.of(b, a)));
        assertNotEquals(code, SafetyCode.of(List.of(a, c)));
    }

    @Test
    void theSafetyCodeDigitsAreTheDigestAsTheSpecReadsIt() throws Exception {
        // two fixed "points": 0x04 then 64 bytes of 0x01, and 0x04 then 64 bytes of 0x02
        byte[] one = new byte[65];
        byte[] two = new byte[65];
        java.util.Arrays.fill(one, (byte) 1);
        java.util.Arrays.fill(two, (byte) 2);
        one[0] = 4;
        two[0] = 4;
        var sha = java.security.MessageDigest.getInstance("SHA-256");
        sha.update(one);
        byte[] d = sha.digest(two);
        int first = (d[0] & 0xff) << 16 | (d[1] & 0xff) << 8 | (d[2] & 0xff);
        String code = SafetyCode.of(List.of(two, one));
        assertEquals(String.format("%05d", first % 100000), code.substring(0, 5));
    }
}
