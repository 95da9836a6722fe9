package org.parley.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Through the relay's test hook (parley.relay.debug.capture-frames, docs/relay.md): the frames the
 * relay forwards of a plain relay call decode as VP8 and Opus; those of a secret call do not give
 * the media. Bob's page fetches every stream the relay kept and feeds it, from its first keyframe,
 * to WebCodecs (VideoDecoder VP8, AudioDecoder Opus). In the secret call it also decrypts the
 * relay's frames with the keys bob holds and decodes those: they decode whole, while the relay's
 * bytes never decode to the picture or sound of the same frame decrypted (VP8: the decoder fails).
 * Comparing with the decrypted decode is what makes this decisive: Opus turns almost any bytes
 * into some sound, so "it decoded" alone would prove nothing.
 */
class E2eeRelayFramesIT {

    @TempDir
    Path dir;

    private static final String DECODE_RELAY_FRAMES = """
            const secret = args[0];
            const s = await import('/parley/e2ee/sframe.js');
            const { fromB64url } = await import('/parley/e2ee/identity.js');
            const e2ee = window.parleyApp.call.e2ee;
            const keys = new Map();
            if (secret) {
              const all = [...e2ee.received.values()].flat();
              all.push({ kid: e2ee.sendKey.kid, key: null, raw: e2ee.sendKey.key });
              for (const k of all) keys.set(BigInt(k.kid), await s.deriveKey(k.raw || fromB64url(k.key), k.kid));
            }
            const relay = await (await fetch('/api/relay/debug/frames')).json();
            const hash = (bytes) => { let h = 2166136261; for (const b of bytes) h = Math.imul(h ^ b, 16777619) >>> 0; return h; };
            async function decode(kind, chunks) {
              const outputs = []; let errors = 0;
              const output = (o) => outputs.push((async () => {
                let bytes;
                if (kind === 'video') { bytes = new Uint8Array(o.allocationSize()); await o.copyTo(bytes); }
                else { const pcm = new Float32Array(o.numberOfFrames); o.copyTo(pcm, { planeIndex: 0 }); bytes = new Uint8Array(pcm.buffer); }
                o.close();
                return { at: o.timestamp, hash: hash(bytes) };
              })());
              const dec = kind === 'video' ? new VideoDecoder({ output, error: () => { errors++; } })
                                           : new AudioDecoder({ output, error: () => { errors++; } });
              dec.configure(kind === 'video' ? { codec: 'vp8' } : { codec: 'opus', sampleRate: 48000, numberOfChannels: 1 });
              for (const c of chunks) {
                if (dec.state === 'closed') break;
                try { dec.decode(kind === 'video' ? new EncodedVideoChunk(c) : new EncodedAudioChunk(c)); } catch (e) { errors++; break; }
              }
              try { await dec.flush(); } catch (e) { errors++; }
              const decoded = await Promise.all(outputs);
              if (dec.state !== 'closed') dec.close();
              return { decoded, errors };
            }
            const out = [];
            for (const st of relay.streams) {
              const kind = st.codec === 'VP8' ? 'video' : st.codec === 'OPUS' ? 'audio' : null;
              if (!kind) continue;
              let frames = st.frames.map((f) => ({ key: f.keyframe, data: Uint8Array.from(atob(f.data), (c) => c.charCodeAt(0)) }));
              if (kind === 'video') frames = frames.slice(Math.max(0, frames.findIndex((f) => f.key)));
              const chunk = (f, data, i) => ({ type: kind === 'audio' || f.key ? 'key' : 'delta', timestamp: i * 1000, data });
              const forwarded = await decode(kind, frames.map((f, i) => chunk(f, f.data, i)));
              const r = { ssrc: st.ssrc, kind, frames: frames.length, firstIsKey: kind === 'audio' || (frames.length > 0 && frames[0].key),
                          forwardedDecoded: forwarded.decoded.length, forwardedErrors: forwarded.errors };
              if (secret) {
                const opened = [];
                for (const f of frames) opened.push((await s.unprotectFrame((kid) => keys.get(kid), kind, f.data)).frame);
                const plain = await decode(kind, frames.map((f, i) => chunk(f, opened[i], i)));
                const truth = new Map(plain.decoded.map((d) => [d.at, d.hash]));
                r.decryptedDecoded = plain.decoded.length;
                r.decryptedErrors = plain.errors;
                r.forwardedSameAsDecrypted = forwarded.decoded.filter((d) => truth.get(d.at) === d.hash).length;
              }
              out.push(r);
            }
            return out;
            """;

    @ParameterizedTest(name = "secret call {0}")
    @ValueSource(booleans = {false, true})
    void whatTheRelayForwardsDecodesOnlyWithoutEndToEndEncryption(boolean secret) throws Exception {
        try (ParleyServer server = ParleyServer.start(dir, "-Dparley.signaling.calls.media=relay",
                "-Dparley.relay.debug.capture-frames=1000");
                Browser alice = Browser.launch("alice", dir);
                Browser bob = Browser.launch("bob", dir)) {
            if (secret) {
                E2eePage.secretCall(server, alice, bob, "");
            } else {
                alice.open(server.origin(), "device=alice-laptop").signIn(server.token("alice"));
                bob.open(server.origin(), "device=bob-laptop").signIn(server.token("bob"));
                alice.type("callee", "bob");
                alice.click("call-button");
                bob.awaitScreen("incoming");
                bob.click("accept-call");
            }
            bob.awaitMediaFlowing("alice's media at bob");
            alice.awaitMediaFlowing("bob's media at alice");

            @SuppressWarnings("unchecked")
            List<Map<String, Object>> streams = (List<Map<String, Object>>) bob.async(DECODE_RELAY_FRAMES, secret);
            System.out.println("relay frames, secret " + secret + ": " + streams);
            assertEquals(List.of("audio", "audio", "video", "video"), streams.stream().map(m -> (String) m.get("kind")).sorted().toList(),
                    "the relay kept the audio and video of both: " + streams);
            for (Map<String, Object> m : streams) {
                long frames = n(m, "frames");
                assertTrue(frames >= 10 && Boolean.TRUE.equals(m.get("firstIsKey")), "frames kept from a keyframe on: " + m);
                if (!secret) {
                    assertEquals(0, n(m, "forwardedErrors"), "plain media forwarded by the relay decodes without error: " + m);
                    assertTrue(n(m, "forwardedDecoded") >= frames * 9 / 10, "plain media forwarded by the relay decodes: " + m);
                } else {
                    assertEquals(0, n(m, "decryptedErrors"), "the relay's frames, decrypted with bob's keys, decode: " + m);
                    assertTrue(n(m, "decryptedDecoded") >= frames * 9 / 10, "the relay's frames, decrypted, decode: " + m);
                    assertEquals(0, n(m, "forwardedSameAsDecrypted"),
                            "no frame as the relay forwarded it decodes to the picture or sound it carries: " + m);
                }
            }
        }
    }

    private static long n(Map<String, Object> m, String key) {
        return ((Number) m.get(key)).longValue();
    }
}
