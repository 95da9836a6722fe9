package org.parley.e2e;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.parley.signaling.auth.Role;

/**
 * The shaped-network harness (docs/e2e.md, "Shaped networks"): a receiver whose Chromium runs in
 * its own network namespace behind a link whose rate the test sets and changes while the call
 * runs ({@link ShapedLink}). A cap well below the sender's video, set mid-call, stalls the
 * receiver's picture: what the issue 17 proofs (a capped receiver settles on a lower layer) build
 * on, shown here to bite before anything adapts to it. (Lifting the cap again is not asserted:
 * in the one run so far the video had not come back 20 s later; see docs/e2e.md.)
 */
class ShapedNetworkIT {

    /** Below one camera stream's bitrate, above Opus: the video cannot get through whole. */
    private static final long CAP_BPS = 100_000;

    @TempDir
    Path dir;

    @Test
    void aCapOnTheReceiversLinkStallsItsVideo() throws Exception {
        try (ShapedLink link = ShapedLink.create(1);
                ParleyServer server = ParleyServer.start(dir, "-Dparley.http.host=0.0.0.0",
                        "-Dparley.relay.bind-address=" + link.relayAddress());
                Browser sender = Browser.launch("sender", dir);
                Browser receiver = Browser.launchBehind(link, "receiver", dir, server.origin(link.relayAddress()))) {
            sender.open(server.origin(), "device=sender-laptop&room=shaped")
                    .signIn(server.token("sender", "shaped", Role.PARTICIPANT));
            receiver.open(server.origin(link.relayAddress()), "device=receiver-laptop&room=shaped")
                    .signIn(server.token("receiver", "shaped", Role.PARTICIPANT));
            sender.awaitScreen("room");
            receiver.awaitScreen("room");
            receiver.awaitEveryoneFlowing(1);
            MediaSample path = receiver.stats();
            assertTrue(path.remoteAddress() == null || path.remoteAddress().equals(link.relayAddress()),
                    "the receiver's media crosses the shaped link: " + path);

            double open = framesPerSecond(receiver, 4000);
            assertTrue(open >= 2, "video flows before any cap: " + open + " frames/s");

            link.cap(CAP_BPS);
            Browser.sleep(3000); // what was queued before the cap drains
            double capped = framesPerSecond(receiver, 5000);
            assertTrue(capped < open / 2, "a " + CAP_BPS / 1000 + " kbit/s cap must bite: " + capped
                    + " frames/s under it, " + open + " without");
        }
    }

    /** Frames the receiver decoded per second over {@code millis} (getStats framesDecoded). */
    private static double framesPerSecond(Browser b, long millis) {
        long t0 = System.nanoTime();
        long f0 = b.stats().framesDecoded();
        Browser.sleep(millis);
        long f1 = b.stats().framesDecoded();
        return (f1 - f0) * 1e9 / (System.nanoTime() - t0);
    }
}
