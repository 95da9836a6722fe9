package org.parley.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.io.TempDir;

/**
 * (d) Alice moves a live call from her phone to her laptop; bob stays in the call and keeps
 * seeing video. Peer-to-peer bob's side renegotiates with the laptop; through the relay nothing
 * changes on bob's side (the relay rewrites the new device's stream into the old one). The longest pause between two video frames bob's page presented is measured
 * (requestVideoFrameCallback on his remote video) and printed for docs/web.md.
 */
class HandoffIT {

    /** Counts presented frames of #remote-video and the longest pause between two of them. */
    private static final String FRAME_WATCH = """
            const v = document.getElementById('remote-video');
            const w = window.frameWatch = {frames: 0, last: 0, maxGapMs: 0};
            const tick = (now) => {
              if (w.last) w.maxGapMs = Math.max(w.maxGapMs, now - w.last);
              w.last = now; w.frames++;
              v.requestVideoFrameCallback(tick);
            };
            v.requestVideoFrameCallback(tick);
            """;

    @TempDir
    Path dir;

    @ParameterizedTest(name = "media {0}")
    @ValueSource(strings = {"p2p", "relay"})
    void pushedToTheCallersSecondDeviceTheCalleeKeepsDecodingFrames(String media) throws Exception {
        try (ParleyServer server = ParleyServer.start(dir, "-Dparley.signaling.calls.media=" + media);
                Browser phone = Browser.launch("alice-phone", dir);
                Browser laptop = Browser.launch("alice-laptop", dir);
                Browser bob = Browser.launch("bob", dir)) {
            String aliceToken = server.token("alice");
            phone.open(server.origin(), "device=alice-phone").signIn(aliceToken);
            laptop.open(server.origin(), "device=alice-laptop").signIn(aliceToken);
            bob.open(server.origin(), "device=bob-laptop").signIn(server.token("bob"));

            phone.type("callee", "bob");
            phone.click("call-button");
            bob.awaitScreen("incoming");
            bob.click("accept-call");
            phone.awaitScreen("call");
            bob.awaitMediaFlowing("phone's media at bob");
            String callId = bob.attribute("screen-call", "data-call-id");

            bob.script(FRAME_WATCH);
            Browser.sleep(500);
            phone.type("transfer-device", "alice-laptop");
            long movedAt = System.nanoTime();
            phone.click("transfer-call");

            laptop.awaitScreen("call");
            phone.awaitScreen("home");
            phone.await("transferred shown", () -> "transferred".equals(phone.attribute("notice", "data-reason")));
            assertEquals(callId, laptop.attribute("screen-call", "data-call-id"));
            MediaSample atBob = bob.awaitMediaFlowing("laptop's media at bob");
            long mediaBackMs = (System.nanoTime() - movedAt) / 1_000_000;
            laptop.awaitMediaFlowing("bob's media at the laptop");
            Browser.sleep(500);

            // Bob never left the call: same call id on screen, no end notice.
            assertEquals("call", bob.screen());
            assertEquals(callId, bob.attribute("screen-call", "data-call-id"));
            Number gap = (Number) bob.script("return window.frameWatch.maxGapMs;");
            Number frames = (Number) bob.script("return window.frameWatch.frames;");
            System.out.printf("handoff (" + media + "): longest pause between presented frames at bob %.0f ms over %d frames;"
                    + " media back %d ms after the click; %s%n", gap.doubleValue(), frames.longValue(), mediaBackMs, atBob);
            assertTrue(frames.longValue() > 20, "bob's page presented frames throughout: " + frames);
            // A user notices a frozen picture: the switch must stay a brief pause, not a dropped call
            // (measured 0.8-2.4 s on a loaded 2-core machine, see docs/web.md).
            assertTrue(gap.doubleValue() < 5000, "pause " + gap + " ms");
        }
    }
}
