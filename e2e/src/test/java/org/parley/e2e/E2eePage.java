package org.parley.e2e;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Map;
import java.util.regex.Pattern;

/**
 * What a browser shows and counts of end-to-end encryption (docs/e2ee.md): the lock and safety
 * code on screen, and the frame counters of parley.js's transform worker.
 */
final class E2eePage {

    /** Five groups of five digits (E2EE-SPEC "Safety code"). */
    static final Pattern SAFETY_CODE = Pattern.compile("\\d{5} \\d{5} \\d{5} \\d{5} \\d{5}");

    /** Makes a browser look like one without WebRTC Encoded Transform (neither API present). */
    static final String NO_ENCODED_TRANSFORM = "delete window.RTCRtpScriptTransform;"
            + " delete RTCRtpSender.prototype.createEncodedStreams; delete RTCRtpReceiver.prototype.createEncodedStreams;";

    /** The E2EE session of the call or room on screen, in page scripts. */
    static final String SESSION = "const target = window.parleyApp.call || window.parleyApp.room;"
            + " const e2ee = target && target.e2ee; if (!e2ee) throw new Error('no end-to-end encrypted call or room on screen');";

    private E2eePage() {
    }

    /**
     * Alice and bob sign in; alice places a secret call ("Secret call" ticked); bob is told the call
     * ringing is end-to-end encrypted, runs {@code bobBeforeAccept} (a page script, may be empty)
     * and accepts.
     */
    static void secretCall(ParleyServer server, Browser alice, Browser bob, String bobBeforeAccept) {
        alice.open(server.origin(), "device=alice-laptop").signIn(server.token("alice"));
        bob.open(server.origin(), "device=bob-laptop").signIn(server.token("bob"));
        alice.type("callee", "bob");
        alice.click("secret-call");
        alice.click("call-button");
        bob.awaitScreen("incoming");
        assertTrue(bob.visible("incoming-e2ee"), "bob is told the call ringing is end-to-end encrypted");
        if (!bobBeforeAccept.isEmpty()) {
            bob.async(bobBeforeAccept);
        }
        bob.click("accept-call");
        alice.awaitScreen("call");
    }

    /** Waits until the lock shows (screen "call" or "room") and returns the safety code shown with it. */
    static String awaitLock(Browser b, String screen) {
        String[] seen = {""};
        try {
            b.await("lock shown on the " + screen + " screen", () -> {
                seen[0] = "data-encrypted " + b.attribute(screen + "-e2ee", "data-encrypted") + ", visible "
                        + b.visible(screen + "-e2ee") + ", code '" + b.text(screen + "-safety-code") + "'";
                return "true".equals(b.attribute(screen + "-e2ee", "data-encrypted")) && b.visible(screen + "-e2ee")
                        && SAFETY_CODE.matcher(b.text(screen + "-safety-code")).matches();
            });
        } catch (AssertionError e) {
            throw new AssertionError("last seen: " + seen[0] + ", session " + b.script(
                    "const t = window.parleyApp.call || window.parleyApp.room; return t && JSON.stringify(t.e2eeState);"), e);
        }
        return b.text(screen + "-safety-code");
    }

    /** Waits until everyone on screen shows {@code code}; the room's members may still be arriving. */
    static void awaitSameCode(String screen, Browser... browsers) {
        browsers[0].await("the same safety code everywhere", () -> {
            String first = awaitLock(browsers[0], screen);
            for (Browser b : browsers) {
                if (!first.equals(awaitLock(b, screen))) {
                    return false;
                }
            }
            return true;
        });
    }

    /** The worker's counters: encrypted, decrypted, decryptFailures, droppedUnkeyed. */
    @SuppressWarnings("unchecked")
    static Map<String, Object> counts(Browser b) {
        return (Map<String, Object>) b.async(SESSION + " return await e2ee.frameCounts();");
    }

    static long count(Browser b, String name) {
        return ((Number) counts(b).get(name)).longValue();
    }

    /** Asserts frames went through the transforms both ways: this browser encrypts and decrypts. */
    static void assertEncrypting(Browser b) {
        Map<String, Object> c = counts(b);
        assertTrue(((Number) c.get("encrypted")).longValue() > 0, b.name + " encrypted no frame: " + c);
        assertTrue(((Number) c.get("decrypted")).longValue() > 0, b.name + " decrypted no frame: " + c);
    }
}
