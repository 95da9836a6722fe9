package org.parley.e2e;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Predicate;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.parley.signaling.auth.Role;

/**
 * The app as a user sees it, at a 1280x720 desktop and a 390x844 phone: every screen (sign-in,
 * home, outgoing, incoming, call with and without a screen share, room) keeps every control in
 * the viewport, uncovered and named for screen readers, never scrolls sideways and shows no empty
 * picker; the self-view is a small corner picture; each device says in a sentence who ended a call
 * and why. Three browsers (alice; bob's laptop and phone) are reused across both sizes. Every
 * problem is collected and reported together at the end. The screens are saved for docs/web.md.
 */
class WebAppLayoutIT {

    private static final Pattern CODE = Pattern.compile("\\b[a-z]+_[a-z_]+\\b");

    @TempDir
    Path dir;

    private final List<String> problems = new ArrayList<>();

    @Test
    void everyScreenFitsDesktopAndPhoneAndSaysWhatHappened() throws Exception {
        try (ParleyServer server = ParleyServer.start(dir);
                Browser alice = Browser.launch("alice", dir);
                Browser bobLaptop = Browser.launch("bob-laptop", dir);
                Browser bobPhone = Browser.launch("bob-phone", dir)) {
            String aliceToken = server.token("alice", "standup", Role.MODERATOR);
            String bobToken = server.token("bob", "standup", Role.PARTICIPANT);
            for (Size size : Size.values()) {
                try {
                    walk(server, size, aliceToken, bobToken, alice, bobLaptop, bobPhone);
                } catch (AssertionError e) {
                    throw new AssertionError(e.getMessage() + "\nproblems seen before that:\n" + String.join("\n", problems), e);
                }
            }
        }
        assertTrue(problems.isEmpty(), problems.size() + " problems:\n" + String.join("\n", problems));
    }

    private void walk(ParleyServer server, Size size, String aliceToken, String bobToken, Browser alice,
            Browser bobLaptop, Browser bobPhone) throws Exception {
        boolean desktop = size == Size.DESKTOP;
        for (Browser b : List.of(alice, bobLaptop, bobPhone)) {
            b.viewport(size.width, size.height, !desktop);
            b.open(server.origin(), "device=" + b.name);
        }
        check(alice, size, "signin");
        shoot(alice, size, "signin");

        // A token that is not a token: a sentence, not the JWT library's complaint.
        alice.type("token", "not-a-token");
        alice.click("signin-button");
        alice.await("sign-in refused", () -> alice.visible("signin-error"));
        message(alice, "signin-error", size + " bad token",
                t -> t.contains("token") && !t.contains("parts") && !t.contains("closed 40"));

        alice.signIn(aliceToken);
        bobLaptop.signIn(bobToken);
        bobPhone.signIn(bobToken);
        check(alice, size, "home");
        shoot(alice, size, "home");

        // A room the token does not name and nobody made.
        bobPhone.type("room-id", "nosuch");
        bobPhone.click("join-room");
        bobPhone.await("join refused", () -> bobPhone.visible("notice"));
        message(bobPhone, "notice", size + " join a room that does not exist",
                t -> t.contains("nosuch") && !t.contains("unknown_room"));

        // Call 1: bob answers on his laptop; his phone says so; both see each other.
        ring(alice, bobLaptop, bobPhone);
        check(alice, size, "outgoing");
        shoot(alice, size, "outgoing");
        check(bobLaptop, size, "incoming");
        shoot(bobLaptop, size, "incoming");
        if (!previewPlaying(bobLaptop)) {
            problems.add(size + " incoming: no camera preview before answering");
        }
        bobLaptop.click("accept-call");
        bobPhone.awaitScreen("home");
        message(bobPhone, "notice", size + " answered on the other device",
                t -> t.contains("another device") && t.contains("answered"));
        alice.awaitScreen("call");
        bobLaptop.awaitScreen("call");
        bobLaptop.awaitMediaFlowing("alice's media at bob's laptop");
        alice.awaitMediaFlowing("bob's media at alice");
        for (Browser b : List.of(alice, bobLaptop)) {
            check(b, size, "call at " + b.name);
            problems.addAll(PageCheck.selfView(b, size + " call at " + b.name));
        }
        timerRuns(alice, size);
        shoot(bobLaptop, size, "call");

        // Alice shares her screen: bob sees it large and still sees her camera; alice sees what
        // she shares.
        alice.click("toggle-screen");
        bobLaptop.await("screen share shown", () -> bobLaptop.visible("remote-screen"));
        bobLaptop.awaitScreenShareFlowing("alice's screen at bob");
        for (Browser b : List.of(alice, bobLaptop)) {
            check(b, size, "call with screen share at " + b.name);
            problems.addAll(PageCheck.selfView(b, size + " call with screen share at " + b.name));
        }
        if (!shownInViewport(bobLaptop, "remote-video")) {
            problems.add(size + " call with screen share: bob no longer sees alice's camera");
        }
        if (!shownInViewport(alice, "local-screen")) {
            problems.add(size + " call with screen share: alice sees no preview of what she shares");
        }
        shoot(bobLaptop, size, "call-share");
        shoot(alice, size, "call-sharer");

        // Alice turns her camera off: bob sees her initials, not a black box.
        alice.click("toggle-video");
        bobLaptop.await("camera off shown", () -> "false".equals(bobLaptop.attribute("remote-media", "data-video")));
        if (!shownInViewport(bobLaptop, "remote-avatar") || !bobLaptop.text("remote-avatar").contains("A")) {
            problems.add(size + " camera off: bob does not see alice's name or initials");
        }

        // One side hangs up: each says who ended it, in words.
        Browser ender = desktop ? alice : bobLaptop;
        Browser other = desktop ? bobLaptop : alice;
        ender.click("hangup");
        ender.awaitScreen("home");
        other.awaitScreen("home");
        message(ender, "notice", size + " hung up here", t -> t.startsWith("You ended the call"));
        String enderName = desktop ? "Alice" : "Bob";
        message(other, "notice", size + " the other hung up", t -> t.startsWith(enderName + " ended the call"));

        // Call 2: bob declines on one device; the caller, that device and his other device each
        // say what happened.
        ring(alice, bobLaptop, bobPhone);
        Browser decliner = desktop ? bobLaptop : bobPhone;
        Browser otherDevice = desktop ? bobPhone : bobLaptop;
        decliner.click("reject-call");
        for (Browser b : List.of(alice, decliner, otherDevice)) {
            b.awaitScreen("home");
        }
        message(alice, "notice", size + " declined, at the caller", t -> t.startsWith("Bob declined"));
        message(decliner, "notice", size + " declined here", t -> t.startsWith("You declined"));
        message(otherDevice, "notice", size + " declined on the other device",
                t -> t.contains("declined") && t.contains("another device"));

        // The room: alice (moderator) and bob.
        for (Browser b : List.of(alice, bobLaptop)) {
            b.type("room-id", "standup");
            b.click("join-room");
            b.awaitScreen("room");
        }
        for (Browser b : List.of(alice, bobLaptop)) {
            b.await("two participants", () -> b.all("#participant-list li").size() == 2);
        }
        alice.await("bob's tile", () -> alice.all("#video-grid .tile").size() == 2);
        String bobId = (String) bobLaptop.script("return window.parleyApp.room.participantId;");
        String muteBob = "#participant-list li[data-participant='" + bobId + "'] button[data-action=mute]";
        alice.await("mute offered for bob", () -> !alice.all(muteBob).isEmpty());
        check(alice, size, "room at alice");
        check(bobLaptop, size, "room at bob");
        shoot(alice, size, "room");
        // Bob mutes himself and turns his camera off: nobody is offered to mute him again, and
        // his tile shows his initials.
        bobLaptop.click("room-toggle-audio");
        bobLaptop.click("room-toggle-video");
        alice.await("bob shown muted", () -> !alice.all("#participant-list li[data-participant='" + bobId
                + "'][data-audio=false]").isEmpty());
        if (!alice.all(muteBob).isEmpty()) {
            problems.add(size + " room: alice is offered to mute bob, who is already muted");
        }
        alice.await("bob's camera off", () -> !alice.all("#participant-list li[data-participant='" + bobId
                + "'][data-video=false]").isEmpty());
        List<?> avatar = (List<?>) alice.script("const t = document.querySelector(`#video-grid .tile[data-participant='${arguments[0]}'] .avatar`);"
                + "if (!t) return []; const r = t.getBoundingClientRect(); return [r.width, t.textContent];", bobId);
        if (avatar.size() < 2 || ((Number) avatar.get(0)).doubleValue() == 0 || !String.valueOf(avatar.get(1)).contains("B")) {
            problems.add(size + " room: bob's tile with his camera off shows no name or initials: " + avatar);
        }
        if (desktop) {
            bobLaptop.click("leave-room");
            bobLaptop.awaitScreen("home");
            message(bobLaptop, "notice", size + " left the room", t -> t.startsWith("You left room standup"));
        } else {
            alice.all("#participant-list li[data-participant='" + bobId + "'] button[data-action=remove]").get(0).click();
            bobLaptop.awaitScreen("home");
            message(bobLaptop, "notice", size + " removed from the room",
                    t -> t.contains("removed you") && t.contains("standup") && !t.startsWith("You left"));
        }
        alice.click("leave-room");
        alice.awaitScreen("home");
    }

    /** Alice calls bob; both of his devices ring. */
    private static void ring(Browser alice, Browser bobLaptop, Browser bobPhone) {
        alice.type("callee", "bob");
        alice.click("call-button");
        alice.await("ringing", () -> "ringing".equals(alice.attribute("outgoing-status", "data-status")));
        bobLaptop.awaitScreen("incoming");
        bobPhone.awaitScreen("incoming");
    }

    private void check(Browser b, Size size, String screen) {
        problems.addAll(PageCheck.screen(b, size + " " + screen));
    }

    /**
     * The text of {@code id} read as a user would: a sentence (capital first, full stop last, no
     * protocol code in it) that says what {@code expected} wants.
     */
    private void message(Browser b, String id, String what, Predicate<String> expected) {
        String text = b.text(id).trim();
        boolean sentence = !text.isEmpty() && Character.isUpperCase(text.charAt(0)) && text.endsWith(".")
                && !CODE.matcher(text).find();
        if (!sentence || !expected.test(text)) {
            problems.add(what + " at " + b.name + ": \"" + text + "\"");
        }
    }

    private static boolean previewPlaying(Browser b) {
        return Boolean.TRUE.equals(b.async("const v = document.getElementById('preview-video');"
                + "for (let i = 0; i < 100 && v && !(v.videoWidth > 0); i++) await new Promise((r) => setTimeout(r, 100));"
                + "return !!v && v.videoWidth > 0 && v.getBoundingClientRect().width > 0;"));
    }

    private static boolean shownInViewport(Browser b, String id) {
        return Boolean.TRUE.equals(b.script("const v = document.getElementById(arguments[0]); if (!v) return false;"
                + "const r = v.getBoundingClientRect(); return r.width > 40 && r.height > 30 && r.left >= 0 && r.top >= 0"
                + " && r.right <= screen.width && r.bottom <= screen.height && getComputedStyle(v).visibility !== 'hidden';", id));
    }

    /** The call timer shows m:ss and counts up. */
    private void timerRuns(Browser b, Size size) {
        if (!b.visible("call-timer")) {
            problems.add(size + " call: no call timer");
            return;
        }
        String first = b.text("call-timer");
        try {
            b.await("timer counting", () -> !b.text("call-timer").equals(first)
                    && b.text("call-timer").matches("\\d+:\\d\\d"));
        } catch (AssertionError e) {
            problems.add(size + " call: the timer does not count: " + first);
        }
    }

    private static void shoot(Browser b, Size size, String screen) throws Exception {
        Path docs = Path.of(System.getProperty("parley.screenshots.dir", "target/screenshots"));
        b.screenshot(docs.resolve("screenshot-web-" + screen + "-" + size.label + ".png"), size.scale);
    }

    private enum Size {
        DESKTOP(1280, 720, "desktop", 0.5), PHONE(390, 844, "phone", 0.75);

        final int width;
        final int height;
        final String label;
        final double scale;

        Size(int width, int height, String label, double scale) {
            this.width = width;
            this.height = height;
            this.label = label;
            this.scale = scale;
        }

        @Override
        public String toString() {
            return width + "x" + height;
        }
    }
}
