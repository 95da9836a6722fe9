package org.parley.turn;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.HexFormat;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import org.junit.jupiter.api.Test;

/**
 * The sample request of RFC 8489 Appendix B.1 (USERHASH, SHA-256 key, MESSAGE-INTEGRITY-SHA256)
 * against this server's key derivation. The printed sample's length field (0x9c) does not match its
 * 136 bytes, so it cannot be parsed as a whole; its USERHASH and its HMAC (computed over the bytes
 * as printed) still pin down USERHASH's input and the SHA-256 long-term key.
 */
class Rfc8489SampleTest {
    private static final HexFormat HEX = HexFormat.of();
    /** "マトリックス", unchanged by OpaqueString. */
    private static final String USERNAME = "\u30de\u30c8\u30ea\u30c3\u30af\u30b9";
    private static final String REALM = "example.org";

    @Test
    void userhashIsSha256OfUsernameColonRealm() {
        assertArrayEquals(HEX.parseHex("4a3cf38fef6992bda952c6780417da0f24819415569e60b205c46e41407f1704"),
                LongTermKey.userhash(OpaqueString.prepare(USERNAME), OpaqueString.prepare(REALM)));
    }

    @Test
    void theSampleIsSignedWithTheSha256LongTermKey() throws Exception {
        ByteArrayOutputStream m = new ByteArrayOutputStream();
        m.write(HEX.parseHex("0001009c2112a44278ad3433c6ad72c029da412e"));
        m.write(HEX.parseHex("001e0020"));
        m.write(LongTermKey.userhash(USERNAME, REALM));
        m.write(HEX.parseHex("00150029"));
        m.write("obMatJos2AAACf//499k954d6OL34oL9FSTvy64sA".getBytes(StandardCharsets.US_ASCII));
        m.write(new byte[3]);
        m.write(HEX.parseHex("0014000b"));
        m.write(REALM.getBytes(StandardCharsets.US_ASCII));
        m.write(new byte[1]);
        byte[] key = LongTermKey.of(USERNAME, REALM, "TheMatrIX", PasswordAlgorithm.SHA256);
        assertEquals(32, key.length);
        Mac mac = Mac.getInstance("HmacSHA256");
        mac.init(new SecretKeySpec(key, "HmacSHA256"));
        assertArrayEquals(HEX.parseHex("e4686c8f0edeb59013e07090010a93efccbccc544c0a45d9f830aa6d6f735a01"),
                mac.doFinal(m.toByteArray()));
    }
}
