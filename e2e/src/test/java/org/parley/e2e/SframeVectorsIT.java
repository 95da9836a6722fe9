package org.parley.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * parley.js's SFrame, as the server serves it to Chromium, against the test vectors of RFC 9605
 * Appendix C for cipher suite AES_128_GCM_SHA256_128 (0x0004): header encoding and decoding
 * (C.1), key and salt derivation and encryption (C.3), and decryption of the vector's ciphertext.
 */
class SframeVectorsIT {

    @TempDir
    Path dir;

    /** RFC 9605 C.1: KID, CTR, header, a sample across every length of both fields. */
    private static final List<List<String>> HEADERS = List.of(
            List.of("0", "0", "00"),
            List.of("0", "1", "01"),
            List.of("0", "ff", "08ff"),
            List.of("0", "100", "090100"),
            List.of("0", "ffffffffffffffff", "0fffffffffffffffff"),
            List.of("1", "0", "10"),
            List.of("1", "ffff", "19ffff"),
            List.of("ff", "0", "80ff"),
            List.of("ff", "ff", "88ffff"),
            List.of("100", "ff", "980100ff"),
            List.of("ffff", "10000", "9affff010000"),
            List.of("10000", "ffffff", "aa010000ffffff"),
            List.of("ffffffff", "ff", "b8ffffffffff"),
            List.of("ffffffff", "100000000", "bcffffffff0100000000"),
            List.of("100000000", "ffffffff", "cb0100000000ffffffff"),
            List.of("ffffffffffff", "10000", "daffffffffffff010000"),
            List.of("1000000000000", "ffffffffffffff", "ee01000000000000ffffffffffffff"),
            List.of("100000000000000", "0", "f00100000000000000"),
            List.of("ffffffffffffffff", "ffffffffffffffff", "ffffffffffffffffffffffffffffffffff"));

    private static final String RUN = """
            const s = await import('/parley/e2ee/sframe.js');
            const hex = (b) => Array.from(b, (x) => x.toString(16).padStart(2, '0')).join('');
            const unhex = (h) => new Uint8Array(h.match(/../g).map((x) => parseInt(x, 16)));
            const headers = args[0].map(([kid, ctr, expected]) => {
              const encoded = hex(s.encodeHeader(BigInt('0x' + kid), BigInt('0x' + ctr)));
              const d = s.decodeHeader(unhex(expected));
              return [encoded, d.kid.toString(16), d.ctr.toString(16), d.length * 2 === expected.length];
            });
            // C.3, cipher_suite 0x0004
            const derived = await s.deriveKey(unhex('000102030405060708090a0b0c0d0e0f'), 0x123n);
            const metadata = unhex('4945544620534672616d65205747');
            const pt = unhex('64726166742d696574662d736672616d652d656e63');
            const ct = await s.encrypt(derived, 0x4567n, metadata, pt);
            const vector = unhex('9901234567b7412c2513a1b66dbb48841bbaf17f598751176ad847681a69c6d0b091c07018ce4adb34eb');
            const opened = await s.decrypt(derived, s.decodeHeader(vector), metadata, vector);
            let tampered = 'accepted';
            const bad = vector.slice(); bad[bad.length - 1] ^= 1;
            try { await s.decrypt(derived, s.decodeHeader(bad), metadata, bad); } catch (e) { tampered = 'rejected'; }
            return { headers, key: hex(derived.keyBytes), salt: hex(derived.salt),
                     nonce: hex(s.nonceFor(derived.salt, 0x4567n)), ct: hex(ct), pt: hex(opened), tampered };
            """;

    @Test
    void sframeInTheBrowserMatchesRfc9605AppendixC() throws Exception {
        try (ParleyServer server = ParleyServer.start(dir);
                Browser browser = Browser.launch("vectors", dir)) {
            browser.open(server.origin(), "device=vectors");
            @SuppressWarnings("unchecked")
            Map<String, Object> r = (Map<String, Object>) browser.async(RUN, HEADERS);

            @SuppressWarnings("unchecked")
            List<List<Object>> headers = (List<List<Object>>) r.get("headers");
            for (int i = 0; i < HEADERS.size(); i++) {
                List<String> v = HEADERS.get(i);
                List<Object> got = headers.get(i);
                assertEquals(v.get(2), got.get(0), "encode kid " + v.get(0) + " ctr " + v.get(1));
                assertEquals(v.get(0), got.get(1), "decoded kid of " + v.get(2));
                assertEquals(v.get(1), got.get(2), "decoded ctr of " + v.get(2));
                assertEquals(true, got.get(3), "decoded length of " + v.get(2));
            }
            assertEquals("d34f547f4ca4f9a7447006fe7fcbf768", r.get("key"), "sframe_key");
            assertEquals("75234edefe07819026751816", r.get("salt"), "sframe_salt");
            assertEquals("75234edefe07819026755d71", r.get("nonce"), "nonce");
            assertEquals("9901234567b7412c2513a1b66dbb48841bbaf17f598751176ad847681a69c6d0b091c07018ce4adb34eb",
                    r.get("ct"), "ct");
            assertEquals("64726166742d696574662d736672616d652d656e63", r.get("pt"), "decrypted pt");
            assertEquals("rejected", r.get("tampered"), "a ciphertext with a flipped tag bit");
        }
    }
}
