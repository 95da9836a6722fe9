package org.parley.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.parley.signaling.auth.Role;

/**
 * Three people in a room the operator requires to be end-to-end encrypted
 * (parley.signaling.e2ee.require-for-rooms): the app joins with its identity key, everyone decodes
 * the other two's video and audio through the relay and shows the same safety code. Carol leaves:
 * alice makes a new key that carol never gets, and the frames bob receives from alice from then on
 * do not open with any key carol holds (they do with bob's). Carol joins again: she decodes the
 * others within a second of her media connection being up, with keys made for her.
 */
class E2eeConferenceIT {

    @TempDir
    Path dir;

    /** In bob's page: the captured frames sealed with alice's newest key, as base64 (at most 20). */
    private static final String FRAMES_UNDER_NEWEST_KEY = E2eePage.SESSION + """
            const s = await import('/parley/e2ee/sframe.js');
            const keys = e2ee.received.get(args[0]) || [];
            const kid = BigInt(keys[keys.length - 1].kid);
            const out = [];
            for (const f of await e2ee.capturedFrames()) {
              const data = new Uint8Array(f.data);
              const h = s.decodeHeader(data, s.clearLength(f.kind, data));
              if (h && h.kid === kid && out.length < 20) out.push({ kind: f.kind, b64: btoa(String.fromCharCode(...data)) });
            }
            return out;
            """;

    /** In a page: how many of the frames open with the given keys ([{kid, key (b64url)}]). */
    private static final String OPEN_WITH = """
            const s = await import('/parley/e2ee/sframe.js');
            const { fromB64url } = await import('/parley/e2ee/identity.js');
            const keys = new Map();
            for (const k of args[1]) keys.set(BigInt(k.kid), await s.deriveKey(fromB64url(k.key), k.kid));
            let opened = 0, refused = 0;
            for (const f of args[0]) {
              const data = Uint8Array.from(atob(f.b64), (c) => c.charCodeAt(0));
              try { await s.unprotectFrame((kid) => keys.get(kid), f.kind, data); opened++; } catch (e) { refused++; }
            }
            return { opened, refused };
            """;

    @Test
    void everyoneDecodesEncryptedMediaAndALeaverCannotReadWhatFollows() throws Exception {
        try (ParleyServer server = ParleyServer.start(dir, "-Dparley.signaling.e2ee.require-for-rooms=true");
                Browser alice = Browser.launch("alice", dir);
                Browser bob = Browser.launch("bob", dir);
                Browser carol = Browser.launch("carol", dir)) {
            List<Browser> all = List.of(alice, bob, carol);
            alice.open(server.origin(), "device=alice-laptop&room=standup")
                    .signIn(server.token("alice", "standup", Role.MODERATOR));
            bob.open(server.origin(), "device=bob-laptop&room=standup")
                    .signIn(server.token("bob", "standup", Role.PARTICIPANT));
            carol.open(server.origin(), "device=carol-laptop&room=standup")
                    .signIn(server.token("carol", "standup", Role.PARTICIPANT));
            for (Browser b : all) {
                b.awaitScreen("room");
                b.await("three participants listed", () -> b.all("#participant-list li").size() == 3);
            }
            for (Browser b : all) {
                b.awaitEveryoneFlowing(2);
            }
            E2eePage.awaitSameCode("room", alice, bob, carol);
            String codeOfThree = alice.text("room-safety-code");
            for (Browser b : all) {
                E2eePage.assertEncrypting(b);
            }

            // Carol leaves, holding every key she was sent.
            String aliceId = (String) alice.script("return window.parleyApp.room.participantId;");
            bob.async(E2eePage.SESSION + "e2ee.captureReceived(200);");
            int aliceKeysAtBob = aliceKeysAt(bob, aliceId);
            Object carolKeys = carol.async(E2eePage.SESSION + "return [...e2ee.received.values()].flat();");
            assertTrue(((List<?>) carolKeys).size() >= 2, "carol held keys of alice and bob: " + carolKeys);
            carol.click("leave-room");
            carol.awaitScreen("home");

            // Alice rekeys at once; bob gets the new key and decodes on.
            bob.await("a new key from alice after carol left", () -> aliceKeysAt(bob, aliceId) > aliceKeysAtBob);
            bob.awaitEveryoneFlowing(1);
            alice.awaitEveryoneFlowing(1);
            E2eePage.awaitSameCode("room", alice, bob);
            assertNotEquals(codeOfThree, alice.text("room-safety-code"), "the safety code names who is in the room");

            List<?> frames = List.of();
            long deadline = System.nanoTime() + Browser.WAIT.toNanos();
            while (frames.size() < 20 && System.nanoTime() < deadline) {
                Browser.sleep(300);
                frames = (List<?>) bob.async(FRAMES_UNDER_NEWEST_KEY, aliceId);
            }
            assertEquals(20, frames.size(), "bob received frames from alice under her new key");
            @SuppressWarnings("unchecked")
            Map<String, Number> atCarol = (Map<String, Number>) carol.async(OPEN_WITH, frames, carolKeys);
            assertEquals(0, atCarol.get("opened").intValue(), "carol, who left, opens none of alice's new frames: " + atCarol);
            Object bobKeys = bob.async(E2eePage.SESSION + "return [...e2ee.received.values()].flat();");
            @SuppressWarnings("unchecked")
            Map<String, Number> atBob = (Map<String, Number>) carol.async(OPEN_WITH, frames, bobKeys);
            assertEquals(20, atBob.get("opened").intValue(), "the same frames open with the key bob holds: " + atBob);

            // Carol joins again: she gets new keys and decodes the two others quickly.
            carol.type("room-id", "standup");
            carol.script(JOINER_WATCH);
            carol.click("join-room");
            carol.awaitScreen("room");
            @SuppressWarnings("unchecked")
            Map<String, Number> joined = (Map<String, Number>) carol.async("return await window.joinerTimes;");
            System.out.println("joiner: " + joined);
            assertTrue(joined.get("connectedToDecodedMs").doubleValue() <= 1000,
                    "carol decodes both others within 1 s of her media connections being up: " + joined);
            carol.awaitEveryoneFlowing(2);
            E2eePage.awaitSameCode("room", alice, bob, carol);
        }
    }

    private static int aliceKeysAt(Browser b, String aliceId) {
        return ((Number) b.async(E2eePage.SESSION + "return (e2ee.received.get(args[0]) || []).length;", aliceId)).intValue();
    }

    /**
     * Started in the joiner's page just before it clicks Join, in the background: resolves
     * window.joinerTimes with the milliseconds from the click, and from both relay connections
     * being connected (the media path is up; ICE and DTLS are no part of E2EE), to the first
     * decoded video frame of each of the two others.
     */
    private static final String JOINER_WATCH = """
            const app = window.parleyApp;
            const clickedAt = performance.now();
            window.joinerTimes = (async () => {
              const until = Date.now() + 20000;
              let connectedAt = null;
              while (Date.now() < until) {
                const room = app.room;
                if (room && !room.closed) {
                  if (connectedAt === null && room.media.state() === 'connected') connectedAt = performance.now();
                  const s = await app.stats();
                  const others = Object.entries(s.participants || {}).filter(([k]) => k !== room.participantId);
                  if (connectedAt !== null && others.length >= 2 && others.every(([, v]) => v.framesDecoded > 0)) {
                    const now = performance.now();
                    return { joinToDecodedMs: now - clickedAt, connectedToDecodedMs: now - connectedAt };
                  }
                }
                await new Promise((r) => setTimeout(r, 10));
              }
              throw new Error('the joiner decoded nobody within 20 s');
            })();
            """;
}
