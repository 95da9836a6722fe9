package org.parley.e2e;

import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.parley.signaling.auth.Role;

/**
 * Issue 17: "hiding a tile pauses its stream". Three people in a room; carol makes her window
 * small, so the video grid no longer fits and one of the other two tiles falls out of view: the
 * web app turns that source off (layout-constraints.js: a tile not on screen), the relay forwards
 * it no packet while the tile in view keeps flowing, and carol's Chromium decodes no frame of it.
 * She then scrolls the grid with the mouse wheel to that tile: it is back, frames decoded again,
 * within 5 s of the scroll, and the tile scrolled away in turn is paused.
 */
class OffScreenTileIT {

    private static final String ROOM = "tiles";
    /** A narrow window: the grid has two columns, so the third tile is on a second row. */
    private static final int WIDTH = 500;
    private static final long RESUME_MILLIS = 5_000;

    @TempDir
    Path dir;

    @Test
    void aTileOutOfViewIsPausedAndResumesWhenScrolledBackIntoView() throws Exception {
        try (ParleyServer server = ParleyServer.start(dir, RelayApi.secretOption());
                Browser alice = Browser.launch("alice", dir);
                Browser bob = Browser.launch("bob", dir);
                Browser carol = Browser.launch("carol", dir)) {
            RelayApi relay = new RelayApi(server);
            alice.open(server.origin(), "device=alice-laptop&room=" + ROOM).signIn(server.token("alice", ROOM, Role.MODERATOR));
            bob.open(server.origin(), "device=bob-laptop&room=" + ROOM).signIn(server.token("bob", ROOM, Role.PARTICIPANT));
            carol.open(server.origin(), "device=carol-laptop&room=" + ROOM).signIn(server.token("carol", ROOM, Role.PARTICIPANT));
            for (Browser b : new Browser[] {alice, bob, carol}) {
                b.awaitScreen("room");
            }
            carol.awaitEveryoneFlowing(2);
            String carolId = id(carol);
            String aliceId = id(alice);
            String bobId = id(bob);

            // Carol makes her window small, until the grid shows about half a tile's height: one
            // of the two tiles is then out of view.
            shrink(carol);
            carol.await("one of the two tiles out of view (" + geometry(carol) + ")",
                    () -> inView(carol, aliceId) != inView(carol, bobId));
            String away = inView(carol, aliceId) ? bobId : aliceId;
            String seen = away.equals(aliceId) ? bobId : aliceId;
            Reading paused = awaitPaused(relay, carol, carolId, away, seen, "out of view once the window shrank");

            // She scrolls the grid down to it with the mouse wheel.
            long scrolled = System.nanoTime();
            carol.wheel("room-videos", 2000);
            carol.await("scrolled into view (" + geometry(carol) + ")", () -> inView(carol, away) && !inView(carol, seen));
            // Resumed: a frame decoded again (the keyframe the relay asked its publisher for).
            Reading now = Reading.of(relay, carol, carolId, away);
            while ((now.frames <= paused.frames || now.packets <= paused.packets)
                    && System.nanoTime() - scrolled < 4 * RESUME_MILLIS * 1_000_000) {
                Browser.sleep(100);
                now = Reading.of(relay, carol, carolId, away);
            }
            long resumedMillis = (System.nanoTime() - scrolled) / 1_000_000;
            System.out.println("OffScreenTileIT: tile back in view decoding again " + resumedMillis + " ms after the scroll");
            assertTrue(now.frames > paused.frames && now.packets > paused.packets && resumedMillis <= RESUME_MILLIS,
                    "the tile scrolled back into view decodes again within " + RESUME_MILLIS + " ms: after "
                            + resumedMillis + " ms " + now + ", paused " + paused + "\nrelay: "
                            + relay.forwarded(ROOM, carolId, away));
            Reading resumed = now;
            carol.await("the tile back in view keeps decoding", () -> Reading.of(relay, carol, carolId, away).frames > resumed.frames + 5);
            awaitPaused(relay, carol, carolId, seen, away, "scrolled out of view");
        }
    }

    /**
     * Waits until the relay pauses {@code off} towards carol and then finds a stretch of at least
     * 3 s in which it sends her no packet of it and she decodes no frame of it, while {@code on}
     * (its picture smaller now, so on another layer, on a loaded machine at a few frames per
     * second) decodes at least 5 frames. Packets in flight at the pause may still arrive: a
     * change restarts the stretch.
     */
    private static Reading awaitPaused(RelayApi relay, Browser carol, String carolId, String off, String on, String why) {
        carol.await("relay pauses the tile " + why, () -> relay.forwarded(ROOM, carolId, off).path("targetLayer").asInt(0) == -1);
        long deadline = System.nanoTime() + 2 * Browser.WAIT.toNanos();
        Reading quietFrom = Reading.of(relay, carol, carolId, off);
        Reading onFrom = Reading.of(relay, carol, carolId, on);
        long quietSince = System.nanoTime();
        while (true) {
            Browser.sleep(1000);
            Reading now = Reading.of(relay, carol, carolId, off);
            Reading onNow = Reading.of(relay, carol, carolId, on);
            if (now.packets != quietFrom.packets || now.frames != quietFrom.frames) {
                quietFrom = now;
                onFrom = onNow;
                quietSince = System.nanoTime();
            } else if (System.nanoTime() - quietSince >= 3_000_000_000L && onNow.frames >= onFrom.frames + 5
                    && onNow.packets > onFrom.packets) {
                System.out.println("OffScreenTileIT: " + why + ": " + now + " for " + (System.nanoTime() - quietSince) / 1_000_000
                        + " ms; the tile in view meanwhile " + onFrom + " -> " + onNow);
                return now;
            }
            assertTrue(System.nanoTime() < deadline, "the tile " + why + " gets no packet and decodes no frame for 3 s"
                    + " while the tile in view decodes 5 frames: it " + quietFrom + " -> " + now + ", in view " + onFrom
                    + " -> " + onNow + "\nrelay, paused: " + relay.forwarded(ROOM, carolId, off) + "\nrelay, in view: "
                    + relay.forwarded(ROOM, carolId, on));
        }
    }

    /**
     * Sets the window {@link #WIDTH} wide and as tall as leaves the grid's visible area half a
     * tile high (what the rest of the page takes depends on fonts and wrapping: measured, then
     * corrected once more as the participant list's share of the height changes with it).
     */
    private static void shrink(Browser b) {
        int height = 800;
        for (int i = 0; i < 4; i++) {
            b.viewport(WIDTH, height, false);
            Map<?, ?> m = (Map<?, ?>) b.script("const v = document.getElementById('room-videos');"
                    + "const t = document.querySelector('#video-grid .tile');"
                    + "return {visible: v.clientHeight, tile: t ? t.getBoundingClientRect().height : 0};");
            int visible = ((Number) m.get("visible")).intValue();
            int tile = ((Number) m.get("tile")).intValue();
            if (visible > tile / 4 && visible < tile * 3 / 4) {
                return;
            }
            height += tile / 2 - visible;
        }
        throw new AssertionError("no window height leaves the grid half a tile high: " + geometry(b));
    }

    /** What carol gets of one participant's camera: packets the relay sent, frames she decoded. */
    private record Reading(long packets, long frames, int targetLayer) {

        @SuppressWarnings("unchecked")
        static Reading of(RelayApi relay, Browser carol, String carolId, String publisher) {
            JsonNode f = relay.forwarded(ROOM, carolId, publisher);
            Map<String, Number> p = (Map<String, Number>) carol.async("const s = await window.parleyApp.stats();"
                    + "return (s.participants || {})[args[0]] || {framesDecoded: 0};", publisher);
            return new Reading(f.path("packetsSent").asLong(), p.get("framesDecoded").longValue(), f.path("targetLayer").asInt());
        }
    }

    private static String id(Browser b) {
        return (String) b.script("return window.parleyApp.room.participantId;");
    }

    /** True when some of {@code participant}'s tile shows within the scrolled grid's visible area. */
    private static boolean inView(Browser b, String participant) {
        return Boolean.TRUE.equals(b.script("const t = document.querySelector(`#video-grid .tile[data-participant='${arguments[0]}']`);"
                + "if (!t) return false; const r = t.getBoundingClientRect(); const c = document.getElementById('room-videos')"
                + ".getBoundingClientRect(); return r.height > 0 && r.bottom > c.top && r.top < c.bottom;", participant));
    }

    /** The grid's visible area and each tile's place, for failure messages. */
    private static String geometry(Browser b) {
        return String.valueOf(b.script("const box = (e) => { const r = e.getBoundingClientRect();"
                + " return Math.round(r.top) + '..' + Math.round(r.bottom) + ' x ' + Math.round(r.left) + '..' + Math.round(r.right); };"
                + "const v = document.getElementById('room-videos'); let out = 'grid ' + box(v) + ' scrollTop ' + v.scrollTop;"
                + "for (const t of document.querySelectorAll('#video-grid .tile')) out += '; ' + t.dataset.participant + ' ' + box(t);"
                + "return out;"));
    }
}
