package org.parley.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * (e) A call forced through Parley's own TURN server: both browsers use iceTransportPolicy
 * "relay" with the TURN URL and REST credentials from welcome, so the only path is a TURN relay.
 */
class TurnOnlyCallIT {

    @TempDir
    Path dir;

    @Test
    void callConnectsThroughParleyTurnOnlyWithWelcomeCredentials() throws Exception {
        int turnPort = ParleyServer.freeUdpAndTcpPort();
        String secret = ParleyServer.newSecret();
        String conf = """
                parley.turn.static-auth-secret = ["%s"]
                parley.signaling.ice.turn-urls = ["turn:127.0.0.1:%d?transport=udp"]
                """.formatted(secret, turnPort);
        try (ParleyServer server = ParleyServer.startWithConfig(dir, secret, conf,
                "-Dparley.turn.listening-port=" + turnPort,
                "-Dparley.turn.relay-ip=127.0.0.1",
                // Both browsers are on this host: their relayed peers are loopback addresses.
                "-Dparley.turn.allow-loopback-peers=true",
                "-Dparley.signaling.ice.turn-secret=" + secret);
                Browser alice = Browser.launch("alice", dir);
                Browser bob = Browser.launch("bob", dir)) {
            alice.open(server.origin(), "device=alice-laptop&ice=relay").signIn(server.token("alice"));
            bob.open(server.origin(), "device=bob-laptop&ice=relay").signIn(server.token("bob"));

            alice.type("callee", "bob");
            alice.click("call-button");
            bob.awaitScreen("incoming");
            bob.click("accept-call");
            alice.awaitScreen("call");

            MediaSample atBob = bob.awaitMediaFlowing("alice's media at bob through TURN");
            MediaSample atAlice = alice.awaitMediaFlowing("bob's media at alice through TURN");
            for (MediaSample s : new MediaSample[] {atBob, atAlice}) {
                assertEquals("relay", s.candidateType(), "local side relayed by TURN: " + s);
                assertEquals("127.0.0.1", s.localAddress(), s.toString());
            }
        }
    }
}
