package org.parley.e2e;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.file.Path;
import java.time.Clock;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.parley.relay.client.MediaKind;
import org.parley.relay.client.e2ee.FrameDecryptor;
import org.parley.relay.client.e2ee.FrameEncryptor;
import org.parley.relay.client.e2ee.IdentityKeys;
import org.parley.relay.client.e2ee.KeyWrap;
import org.parley.relay.client.e2ee.SafetyCode;
import org.parley.relay.client.e2ee.SenderKey;

/**
 * parley.js (as the server serves it to Chromium) and the Java client library speak the same
 * end-to-end encryption byte for byte (docs/e2ee.md): a sender key wrapped by one opens in the
 * other, both compute one safety code, and a VP8 keyframe, a VP8 delta frame and an Opus frame
 * encrypted by one decrypt in the other to the bytes that went in.
 */
class E2eeInteropIT {

    @TempDir
    Path dir;

    private static final String CONTEXT = "r-interop";
    private static final HexFormat HEX = HexFormat.of();
    /** A VP8 keyframe's first bytes (frame tag with P = 0, start code, 640x480), then payload. */
    private static final byte[] VP8_KEY = HEX.parseHex("5001009d012a8002e001" + "0123456789abcdef".repeat(20));
    private static final byte[] VP8_DELTA = HEX.parseHex("b10500" + "fedcba9876543210".repeat(9));
    private static final byte[] OPUS = HEX.parseHex("78" + "a1b2c3d4e5f60718".repeat(8));

    private static final String BROWSER = """
            const s = await import('/parley/e2ee/sframe.js');
            const id = await import('/parley/e2ee/identity.js');
            const hex = (b) => Array.from(b, (x) => x.toString(16).padStart(2, '0')).join('');
            const unhex = (h) => new Uint8Array(h.match(/../g).map((x) => parseInt(x, 16)));
            const [step, a] = [args[0], args[1]];
            if (step === 'key') { window.ik = await id.IdentityKey.generate(); return window.ik.wire; }
            const java = id.fromB64url(a.javaKey);
            if (step === 'unwrap') {
              const k = await window.ik.unwrap(java, a.context, a.payload);
              return { kid: k.kid, key: hex(k.key) };
            }
            if (step === 'wrap') return window.ik.wrap(java, a.context, { kid: a.kid, key: unhex(a.key) });
            if (step === 'safety') return id.safetyCode([window.ik.publicRaw, java]);
            if (step === 'open') {
              const derived = await s.deriveKey(unhex(a.key), BigInt(a.kid));
              const out = [];
              for (const f of a.frames) out.push(hex((await s.unprotectFrame(() => derived, f.kind, unhex(f.hex))).frame));
              return out;
            }
            if (step === 'seal') {
              const derived = await s.deriveKey(unhex(a.key), BigInt(a.kid));
              const out = [];
              let ctr = 0;
              for (const f of a.frames) out.push(hex(await s.protectFrame(derived, ctr++, f.kind, unhex(f.hex))));
              return out;
            }
            throw new Error('unknown step ' + step);
            """;

    @Test
    void parleyJsAndTheJavaClientWrapKeysAndEncryptFramesAlike() throws Exception {
        try (ParleyServer server = ParleyServer.start(dir);
                Browser browser = Browser.launch("interop", dir)) {
            browser.open(server.origin(), "device=interop");
            String browserKey = (String) browser.async(BROWSER, "key", Map.of());
            IdentityKeys java = IdentityKeys.generate();

            // A key wrapped in Java opens in the browser, and the other way round.
            SenderKey javaSender = FrameEncryptor.newKey();
            String payload = KeyWrap.wrap(java, IdentityKeys.point(browserKey), CONTEXT, javaSender);
            @SuppressWarnings("unchecked")
            Map<String, Object> opened = (Map<String, Object>) browser.async(BROWSER, "unwrap",
                    Map.of("javaKey", java.publicKey(), "context", CONTEXT, "payload", payload));
            assertEquals(javaSender.kid(), ((Number) opened.get("kid")).longValue());
            assertEquals(HEX.formatHex(javaSender.baseKey()), opened.get("key"));

            SenderKey browserSender = new SenderKey(0xC0FFEE42L, HEX.parseHex("00112233445566778899aabbccddeeff"));
            String wrapped = (String) browser.async(BROWSER, "wrap", Map.of("javaKey", java.publicKey(), "context", CONTEXT,
                    "kid", browserSender.kid(), "key", HEX.formatHex(browserSender.baseKey())));
            KeyWrap.Unwrapped back = KeyWrap.unwrap(java, IdentityKeys.point(browserKey), CONTEXT, wrapped);
            assertEquals(browserSender.kid(), back.kid());
            assertArrayEquals(browserSender.baseKey(), back.baseKey());

            // One safety code.
            assertEquals(SafetyCode.of(List.of(IdentityKeys.point(browserKey), java.publicPoint())),
                    browser.async(BROWSER, "safety", Map.of("javaKey", java.publicKey())));

            // Frames: Java encrypts, the browser decrypts; the browser encrypts, Java decrypts.
            List<Map<String, String>> plain = List.of(frame("video", VP8_KEY), frame("video", VP8_DELTA), frame("audio", OPUS));
            FrameEncryptor encryptor = new FrameEncryptor(Clock.systemUTC());
            encryptor.use(javaSender);
            List<Map<String, String>> sealedInJava = List.of(
                    frame("video", encryptor.apply(MediaKind.VIDEO, VP8_KEY)),
                    frame("video", encryptor.apply(MediaKind.VIDEO, VP8_DELTA)),
                    frame("audio", encryptor.apply(MediaKind.AUDIO, OPUS)));
            assertEquals(plain.stream().map(f -> f.get("hex")).toList(), browser.async(BROWSER, "open", Map.of(
                    "javaKey", java.publicKey(), "kid", javaSender.kid(), "key", HEX.formatHex(javaSender.baseKey()),
                    "frames", sealedInJava)), "frames Java encrypted, as the browser decrypts them");

            List<?> sealedInBrowser = (List<?>) browser.async(BROWSER, "seal", Map.of("javaKey", java.publicKey(),
                    "kid", browserSender.kid(), "key", HEX.formatHex(browserSender.baseKey()), "frames", plain));
            FrameDecryptor decryptor = new FrameDecryptor(Clock.systemUTC());
            decryptor.add("browser", browserSender.kid(), browserSender.baseKey());
            MediaKind[] kinds = {MediaKind.VIDEO, MediaKind.VIDEO, MediaKind.AUDIO};
            byte[][] expected = {VP8_KEY, VP8_DELTA, OPUS};
            for (int i = 0; i < 3; i++) {
                byte[] sealed = HEX.parseHex((String) sealedInBrowser.get(i));
                assertArrayEquals(expected[i], decryptor.open(kinds[i], sealed), "frame " + i + " the browser encrypted, as Java decrypts it");
            }
            assertEquals(0, decryptor.failures());
            Base64.getUrlDecoder().decode(payload); // the payload is base64url, as the wire contract says
        }
    }

    private static Map<String, String> frame(String kind, byte[] bytes) {
        return Map.of("kind", kind, "hex", HEX.formatHex(bytes));
    }
}
