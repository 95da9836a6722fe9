package org.parley.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.openqa.selenium.WebElement;
import org.parley.signaling.auth.Role;

/**
 * (f, g) Three people in one room through the relay: each decodes the other two's video and
 * receives their audio; the moderator mutes one of them and the relay stops forwarding his audio;
 * one shares a screen and the other two decode it. The moderator's page is
 * photographed for docs/screenshot-conference.png.
 */
class ConferenceIT {

    @TempDir
    Path dir;

    @Test
    void threePeopleSeeAndHearEachOtherAndTheScreenShare() throws Exception {
        try (ParleyServer server = ParleyServer.start(dir);
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
            // Roles shown; moderator controls only for the moderator.
            List<WebElement> items = alice.all("#participant-list li");
            assertEquals(List.of("moderator", "participant", "participant"),
                    items.stream().map(e -> e.getDomAttribute("data-role")).sorted().toList());
            assertEquals(true, alice.visible("moderator-controls"));
            assertEquals(false, bob.visible("moderator-controls"));

            for (Browser b : all) {
                b.awaitEveryoneFlowing(2);
            }
            // Nobody muted: the list says so. The relay's audio levels name an active speaker,
            // whose tile is outlined.
            alice.await("everyone unmuted in the list", () -> alice.all("#participant-list li[data-audio=false]").isEmpty());
            alice.await("active speaker outlined", () -> alice.all("#video-grid .tile.speaking").size() == 1);

            // Alice (moderator) mutes bob: bob is told, the list shows it, and the relay stops
            // forwarding his audio (carol's packet count from bob stops growing).
            String bobId = (String) bob.script("return window.parleyApp.room.participantId;");
            alice.all("#participant-list li[data-participant='" + bobId + "'] button[data-action=mute]").get(0).click();
            bob.await("told of the mute", () -> "muted".equals(bob.attribute("notice", "data-reason")));
            carol.await("bob shown muted", () -> !carol.all("#participant-list li[data-participant='" + bobId
                    + "'][data-audio-muted=true]").isEmpty());
            long before = carol.audioPacketsFrom(bobId);
            Browser.sleep(1500);
            long after = carol.audioPacketsFrom(bobId);
            Browser.sleep(1500);
            assertEquals(after, carol.audioPacketsFrom(bobId), "bob's audio no longer forwarded (was " + before + ")");

            // Carol shares her screen: alice and bob see it large and decode it.
            carol.click("room-toggle-screen");
            for (Browser b : List.of(alice, bob)) {
                b.await("screen share on stage", () -> b.visible("room-screen"));
                b.awaitScreenShareFlowing("carol's screen at " + b.name);
            }

            alice.screenshot(Path.of(System.getProperty("parley.screenshots.dir", "target/screenshots"), "screenshot-conference.png"));
        }
    }
}
