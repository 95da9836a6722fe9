package org.parley.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * (b) A call rings both of bob's devices; he answers on one, the other stops ringing and shows
 * why; then he pulls the live call over to the other device.
 */
class MultiDeviceRingingIT {

    @TempDir
    Path dir;

    @Test
    void callRingsEveryDeviceFirstAcceptWinsTheOtherShowsAnsweredElsewhere() throws Exception {
        try (ParleyServer server = ParleyServer.start(dir);
                Browser alice = Browser.launch("alice", dir);
                Browser bobPhone = Browser.launch("bob-phone", dir);
                Browser bobLaptop = Browser.launch("bob-laptop", dir)) {
            String bobToken = server.token("bob");
            alice.open(server.origin(), "device=alice-laptop").signIn(server.token("alice"));
            bobPhone.open(server.origin(), "device=bob-phone").signIn(bobToken);
            bobLaptop.open(server.origin(), "device=bob-laptop").signIn(bobToken);

            alice.type("callee", "bob");
            alice.click("call-button");
            bobPhone.awaitScreen("incoming");
            bobLaptop.awaitScreen("incoming");
            alice.await("ringing", () -> "ringing".equals(alice.attribute("outgoing-status", "data-status")));

            bobLaptop.click("accept-call");
            bobPhone.awaitScreen("home");
            bobPhone.await("answered elsewhere shown",
                    () -> "answered_elsewhere".equals(bobPhone.attribute("notice", "data-reason")));
            assertTrue(bobPhone.visible("pull-call"), "the phone offers to move the call to itself");

            alice.awaitScreen("call");
            bobLaptop.awaitMediaFlowing("alice's media at bob's laptop");
            alice.awaitMediaFlowing("bob's laptop's media at alice");
            assertEquals("home", bobPhone.screen(), "the phone stays out of the call");

            // Bob picks the phone back up and pulls the call to it (hand-off, pull): the laptop
            // is told the call moved, alice stays in the call and now sees the phone's video.
            bobPhone.click("pull-call");
            bobPhone.awaitScreen("call");
            bobLaptop.awaitScreen("home");
            bobLaptop.await("transferred shown", () -> "transferred".equals(bobLaptop.attribute("notice", "data-reason")));
            bobPhone.awaitMediaFlowing("alice's media at bob's phone");
            alice.awaitMediaFlowing("bob's phone's media at alice");
            assertEquals("call", alice.screen());
        }
    }
}
