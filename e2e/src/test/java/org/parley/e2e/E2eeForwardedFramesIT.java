package org.parley.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * What the relay forwards in a secret call is not decodable as VP8 or Opus, while the same media
 * without end-to-end encryption is. Bob's transform worker keeps the frames as they came from the
 * relay (ciphertext) and as decrypted (the plain frames: what the relay forwards in a call without
 * E2EE). Bob's page feeds both runs to WebCodecs decoders (VideoDecoder VP8, AudioDecoder Opus)
 * from a keyframe on:
 * <ul>
 *   <li>the plain run decodes: a picture or a block of sound for (nearly) every frame, no error;</li>
 *   <li>the forwarded run does not give the media: the decoder fails, or what it outputs is never
 *       the picture or sound the plain frame gives at the same position.</li>
 * </ul>
 * Comparing with the plain decode is what makes this decisive: a codec may turn random bytes
 * behind a valid header into some picture or noise (Opus decodes almost anything), so "it
 * decoded" alone would prove nothing either way.
 */
class E2eeForwardedFramesIT {

    @TempDir
    Path dir;

    private static final String DECODE_BOTH_RUNS = E2eePage.SESSION + """
            const frames = await e2ee.capturedFrames();
            const hash = (bytes) => { let h = 2166136261; for (const b of bytes) h = Math.imul(h ^ b, 16777619) >>> 0; return h; };
            const isKey = (f) => (f.data[0] & 1) === 0; // the clear VP8 frame tag (docs/e2ee.md)

            async function decode(kind, chunks) {
              const outputs = []; let errors = 0;
              const output = (o) => outputs.push((async () => {
                let bytes;
                if (kind === 'video') { bytes = new Uint8Array(o.allocationSize()); await o.copyTo(bytes); }
                else { const pcm = new Float32Array(o.numberOfFrames); o.copyTo(pcm, { planeIndex: 0 }); bytes = new Uint8Array(pcm.buffer); }
                o.close();
                return { at: o.timestamp, hash: hash(bytes) };
              })());
              const dec = kind === 'video'
                ? new VideoDecoder({ output, error: () => { errors++; } })
                : new AudioDecoder({ output, error: () => { errors++; } });
              dec.configure(kind === 'video' ? { codec: 'vp8' } : { codec: 'opus', sampleRate: 48000, numberOfChannels: 1 });
              for (const c of chunks) {
                if (dec.state === 'closed') break;
                try {
                  dec.decode(kind === 'video' ? new EncodedVideoChunk(c) : new EncodedAudioChunk(c));
                } catch (e) { errors++; break; }
              }
              try { await dec.flush(); } catch (e) { errors++; }
              const decoded = await Promise.all(outputs);
              if (dec.state !== 'closed') dec.close();
              return { decoded, errors };
            }

            async function compare(kind) {
              let list = frames.filter((f) => f.kind === kind && f.clear);
              if (kind === 'video') list = list.slice(Math.max(0, list.findIndex(isKey)));
              const chunk = (f, data, i) => ({ type: kind === 'audio' || isKey(f) ? 'key' : 'delta', timestamp: i * 1000, data });
              const plain = await decode(kind, list.map((f, i) => chunk(f, f.clear, i)));
              const forwarded = await decode(kind, list.map((f, i) => chunk(f, f.data, i)));
              const truth = new Map(plain.decoded.map((d) => [d.at, d.hash]));
              const same = forwarded.decoded.filter((d) => truth.get(d.at) === d.hash).length;
              return { frames: list.length, firstIsKey: list.length > 0 && (kind === 'audio' || isKey(list[0])),
                       plainDecoded: plain.decoded.length, plainErrors: plain.errors,
                       forwardedDecoded: forwarded.decoded.length, forwardedErrors: forwarded.errors, forwardedSameAsPlain: same };
            }
            return { video: await compare('video'), audio: await compare('audio') };
            """;

    @Test
    void framesTheRelayForwardsAreNotDecodableWhileThePlainFramesAre() throws Exception {
        try (ParleyServer server = ParleyServer.start(dir, "-Dparley.signaling.calls.media=relay");
                Browser alice = Browser.launch("alice", dir);
                Browser bob = Browser.launch("bob", dir)) {
            // Bob keeps the first 300 frames that reach him, the call's first keyframe among them.
            E2eePage.secretCall(server, alice, bob,
                    "(await import('/parley/e2ee/session.js')).E2eeSession.captureFromStart = 300;");
            bob.awaitMediaFlowing("alice's encrypted media at bob");
            bob.await("300 frames kept, a keyframe among them", () -> (Boolean) bob.async(E2eePage.SESSION
                    + "const f = await e2ee.capturedFrames(); return f.length >= 300"
                    + " && f.some((x) => x.kind === 'video' && x.clear && (x.data[0] & 1) === 0);"));

            @SuppressWarnings("unchecked")
            Map<String, Map<String, Object>> r = (Map<String, Map<String, Object>>) bob.async(DECODE_BOTH_RUNS);
            System.out.println("decoded: " + r);
            for (String kind : new String[] {"video", "audio"}) {
                Map<String, Object> m = r.get(kind);
                long frames = n(m, "frames");
                assertTrue(frames >= 10 && Boolean.TRUE.equals(m.get("firstIsKey")), kind + ": frames kept from a keyframe on: " + m);
                assertEquals(0, n(m, "plainErrors"), kind + ": the plain frames decode without error: " + m);
                assertTrue(n(m, "plainDecoded") >= frames * 9 / 10, kind + ": the plain frames decode: " + m);
                assertEquals(0, n(m, "forwardedSameAsPlain"),
                        kind + ": no forwarded frame decodes to the picture or sound of its plain frame: " + m);
            }
        }
    }

    private static long n(Map<String, Object> m, String key) {
        return ((Number) m.get(key)).longValue();
    }
}
