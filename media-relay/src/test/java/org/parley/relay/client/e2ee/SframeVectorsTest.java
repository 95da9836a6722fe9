package org.parley.relay.client.e2ee;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.HexFormat;
import javax.crypto.AEADBadTagException;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.api.Test;

/**
 * The Java SFrame against RFC 9605 Appendix C, cipher suite AES_128_GCM_SHA256_128 (0x0004):
 * header encoding both ways (C.1), key and salt derivation, nonce and encryption (C.3), and
 * decryption of the vector's ciphertext, which must refuse the ciphertext once altered.
 */
class SframeVectorsTest {

    private static final HexFormat HEX = HexFormat.of();

    @ParameterizedTest(name = "kid {0} ctr {1}")
    @CsvSource({
        "0, 0, 00", "0, 1, 01", "0, ff, 08ff", "0, 100, 090100", "0, ffffffffffffffff, 0fffffffffffffffff",
        "1, 0, 10", "1, ffff, 19ffff", "ff, 0, 80ff", "ff, ff, 88ffff", "100, ff, 980100ff",
        "ffff, 10000, 9affff010000", "10000, ffffff, aa010000ffffff", "ffffffff, ff, b8ffffffffff",
        "ffffffff, 100000000, bcffffffff0100000000", "100000000, ffffffff, cb0100000000ffffffff",
        "ffffffffffff, 10000, daffffffffffff010000",
        "1000000000000, ffffffffffffff, ee01000000000000ffffffffffffff",
        "100000000000000, 0, f00100000000000000",
        "ffffffffffffffff, ffffffffffffffff, ffffffffffffffffffffffffffffffffff"})
    void headersEncodeAndDecodeAsAppendixC1(String kid, String ctr, String header) {
        long k = Long.parseUnsignedLong(kid, 16);
        long c = Long.parseUnsignedLong(ctr, 16);
        assertEquals(header, HEX.formatHex(SframeHeader.encode(k, c)));
        byte[] wire = HEX.parseHex(header + "abcd"); // bytes after the header are not part of it
        SframeHeader read = SframeHeader.decode(wire, 0, wire.length);
        assertEquals(new SframeHeader(k, c, header.length() / 2), read);
    }

    @Test
    void aHeaderCutShortIsRefused() {
        byte[] cut = HEX.parseHex("9affff0100");
        assertThrows(IllegalArgumentException.class, () -> SframeHeader.decode(cut, 0, cut.length));
    }

    @Test
    void keySaltNonceAndCiphertextAsAppendixC3() throws Exception {
        SframeKey key = SframeKey.derive(HEX.parseHex("000102030405060708090a0b0c0d0e0f"), 0x123);
        assertEquals("d34f547f4ca4f9a7447006fe7fcbf768", HEX.formatHex(key.keyBytes()), "sframe_key");
        assertEquals("75234edefe07819026751816", HEX.formatHex(key.salt()), "sframe_salt");
        assertEquals("75234edefe07819026755d71", HEX.formatHex(key.nonce(0x4567)), "nonce");

        byte[] metadata = HEX.parseHex("4945544620534672616d65205747"); // "IETF SFrame WG"
        byte[] plaintext = HEX.parseHex("64726166742d696574662d736672616d652d656e63"); // "draft-ietf-sframe-enc"
        String ciphertext = "9901234567b7412c2513a1b66dbb48841bbaf17f598751176ad847681a69c6d0b091c07018ce4adb34eb";
        assertEquals(ciphertext, HEX.formatHex(Sframe.encrypt(key, 0x4567, metadata, plaintext)));

        byte[] ct = HEX.parseHex(ciphertext);
        SframeHeader header = SframeHeader.decode(ct, 0, ct.length);
        assertArrayEquals(plaintext, Sframe.decrypt(key, header, metadata, ct, 0, ct.length));
        ct[ct.length - 1] ^= 1;
        assertThrows(AEADBadTagException.class, () -> Sframe.decrypt(key, header, metadata, ct, 0, ct.length));
        byte[] otherMetadata = metadata.clone();
        otherMetadata[0] ^= 1;
        byte[] intact = HEX.parseHex(ciphertext);
        assertThrows(AEADBadTagException.class,
                () -> Sframe.decrypt(key, header, otherMetadata, intact, 0, intact.length));
    }
}
