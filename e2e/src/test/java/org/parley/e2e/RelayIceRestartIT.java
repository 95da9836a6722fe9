package org.parley.e2e;

import static org.junit.jupiter.api.Assertions.assertNotEquals;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.parley.signaling.auth.Role;

/**
 * ICE restart through the relay with real browsers (RFC 8445 section 9): alice's app restarts ICE
 * on its publisher connection, as it does after a resume; the relay answers with fresh
 * credentials and restarts her subscriber connection itself. Both connections end up on new ICE
 * sessions and media keeps flowing both ways, without a new DTLS handshake.
 */
class RelayIceRestartIT {

    private static final String UFRAG = "const m = /a=ice-ufrag:(\\S+)/.exec(%s.sdp); return m ? m[1] : null;";

    @TempDir
    Path dir;

    @Test
    void restartingIceKeepsMediaFlowingBothWays() throws Exception {
        try (ParleyServer server = ParleyServer.start(dir);
                Browser alice = Browser.launch("alice", dir);
                Browser bob = Browser.launch("bob", dir)) {
            alice.open(server.origin(), "device=alice-laptop&room=restart")
                    .signIn(server.token("alice", "restart", Role.MODERATOR));
            bob.open(server.origin(), "device=bob-laptop&room=restart")
                    .signIn(server.token("bob", "restart", Role.PARTICIPANT));
            for (Browser b : List.of(alice, bob)) {
                b.awaitScreen("room");
                b.awaitEveryoneFlowing(1);
            }
            String pubLocal = ufrag(alice, "publisher.localDescription");
            String pubRelay = ufrag(alice, "publisher.remoteDescription");
            String subRelay = ufrag(alice, "subscriber.remoteDescription");
            String subLocal = ufrag(alice, "subscriber.localDescription");

            alice.script("window.parleyApp.room.media.restartIce();");

            alice.await("publisher connection restarted", () -> !pubRelay.equals(ufrag(alice, "publisher.remoteDescription"))
                    && "connected".equals(alice.script("return window.parleyApp.room.media.publisher.iceConnectionState;")));
            alice.await("subscriber connection restarted by the relay",
                    () -> !subRelay.equals(ufrag(alice, "subscriber.remoteDescription"))
                            && "connected".equals(alice.script(
                                    "return window.parleyApp.room.media.subscriber.iceConnectionState;")));
            assertNotEquals(pubLocal, ufrag(alice, "publisher.localDescription"), "alice's own credentials changed");
            assertNotEquals(subLocal, ufrag(alice, "subscriber.localDescription"),
                    "alice answered the relay's restart with new credentials");

            // The relay moved both of alice's connections to their new ICE sessions (it counts
            // a restart when the new session takes over the media).
            try {
                alice.await("the relay's new ICE sessions took over", () -> iceRestarts(server) >= 2);
            } catch (AssertionError e) {
                throw new AssertionError("relay ICE metrics: " + metrics(server).lines()
                        .filter(l -> l.startsWith("parley_relay_ice") || l.contains("ice_restarting")).toList(), e);
            }

            // After the restart: bob still decodes alice and hears her, alice still gets bob.
            try {
                bob.awaitEveryoneFlowing(1);
                alice.awaitEveryoneFlowing(1);
            } catch (AssertionError e) {
                throw new AssertionError("relay drops and repairs: " + metrics(server).lines()
                        .filter(l -> l.startsWith("parley_relay_dropped") || l.startsWith("parley_relay_ice")
                                || l.startsWith("parley_relay_nacks") || l.startsWith("parley_relay_plis")
                                || l.startsWith("parley_relay_repairs") || l.startsWith("parley_relay_packets_in"))
                        .toList(), e);
            }
        }
    }

    /** parley_relay_ice_restarts from the server's Prometheus endpoint. */
    private static double iceRestarts(ParleyServer server) {
        return metrics(server).lines().filter(l -> l.startsWith("parley_relay_ice_restarts"))
                .mapToDouble(l -> Double.parseDouble(l.substring(l.lastIndexOf(' ') + 1))).sum();
    }

    private static String metrics(ParleyServer server) {
        try {
            HttpResponse<String> r = HttpClient.newHttpClient().send(
                    HttpRequest.newBuilder(URI.create(server.origin() + "/metrics")).build(),
                    HttpResponse.BodyHandlers.ofString());
            return r.statusCode() + "\n" + r.body();
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    private static String ufrag(Browser b, String description) {
        return (String) b.script(String.format(UFRAG, "window.parleyApp.room.media." + description));
    }
}
