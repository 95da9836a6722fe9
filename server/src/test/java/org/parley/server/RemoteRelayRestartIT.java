package org.parley.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.parley.server.RemoteRelayHangIT.awaitHealth;
import static org.parley.server.RemoteRelayHangIT.chromeOffer;
import static org.parley.server.RemoteRelayHangIT.member;
import static org.parley.server.RemoteRelayHangIT.node;

import com.fasterxml.jackson.databind.JsonNode;
import java.net.ServerSocket;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.parley.signaling.client.SignalingClient;

/**
 * A remote relay node killed and started again on the same port has lost every conference. The
 * signaling node notices (the relay's instance id changed), makes the room's conference and both
 * members' endpoints again on the new relay, and tells each member with {@code relay.reset}; their
 * next publisher offers are answered by the new relay.
 */
class RemoteRelayRestartIT {

    private static final String API_SECRET = "relay-api-secret-for-the-test";
    private static final Duration WAIT = Duration.ofSeconds(30);

    @TempDir
    Path dir;

    private static int freePort() throws Exception {
        try (ServerSocket s = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }

    private ServerProcess startRelay(int httpPort, String name) throws Exception {
        return ServerProcess.start(Files.createDirectories(dir.resolve(name)), node("-Dparley.signaling.enabled=false",
                "-Dparley.relay.api-secret=" + API_SECRET, "-Dparley.http.port=" + httpPort));
    }

    private static String answerOf(SignalingClient c) throws Exception {
        return c.request("relay.offer", "roomId", "standup", "sdp", chromeOffer()).get("sdp").asText();
    }

    @Test
    void roomMembersGetEndpointsOnTheRestartedRelay() throws Exception {
        int relayHttp = freePort();
        ServerProcess relay = startRelay(relayHttp, "relay-1");
        try (ServerProcess signaling = ServerProcess.start(Files.createDirectories(dir.resolve("signaling")),
                node("-Dparley.relay.enabled=false", "-Dparley.remote-relay.url=http://127.0.0.1:" + relayHttp,
                        "-Dparley.remote-relay.secret=" + API_SECRET, "-Dparley.remote-relay.watch-interval=1s"))) {
            int firstUdp = relay.port("relay", "udp");
            int port = signaling.port("http", "tcp");
            URI ws = URI.create("ws://127.0.0.1:" + port + "/ws");
            try (SignalingClient alice = member(ws, "alice", "laptop");
                    SignalingClient bob = member(ws, "bob", "phone")) {
                assertTrue(answerOf(alice).contains(" 127.0.0.1 " + firstUdp + " typ host"));
                assertTrue(answerOf(bob).contains(" 127.0.0.1 " + firstUdp + " typ host"));
                awaitHealth(port, "up");

                relay.close(); // SIGKILL: the relay forgets everything
                relay.exitCode(WAIT);
                relay = startRelay(relayHttp, "relay-2");
                int secondUdp = relay.port("relay", "udp");

                for (SignalingClient member : List.of(alice, bob)) {
                    JsonNode reset = member.awaitEvent("relay.reset");
                    assertEquals("standup", reset.get("roomId").asText(), reset.toString());
                    assertEquals("relay_restarted", reset.get("reason").asText(), reset.toString());
                    // as after joining: a new publisher offer, answered by the new relay
                    String answer = answerOf(member);
                    assertTrue(answer.contains(" 127.0.0.1 " + secondUdp + " typ host"), answer);
                }
                awaitHealth(port, "up");
                alice.request("room.leave", "roomId", "standup");
                bob.request("room.leave", "roomId", "standup");
            }
            assertEquals(0, signaling.terminate(WAIT), signaling.output());
        } finally {
            relay.close();
        }
    }
}
