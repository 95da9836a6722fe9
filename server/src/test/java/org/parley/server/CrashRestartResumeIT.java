package org.parley.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import com.fasterxml.jackson.databind.JsonNode;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.parley.signaling.auth.TokenIssuer;
import org.parley.signaling.client.SignalingClient;
import org.parley.signaling.client.SignalingException;

/**
 * A crash loses the server's memory: after SIGKILL and a restart, a client that comes back with
 * its resume token gets a fresh session, and the {@code welcome} tells it which of its calls and
 * rooms ended and why (docs/protocol.md §4), instead of it finding out by {@code unknown_call}.
 */
class CrashRestartResumeIT {

    private static final String SECRET = "crash-restart-test-secret-of-32-chars";
    private static final Duration WAIT = Duration.ofSeconds(30);

    @TempDir
    Path dir;

    private static String token(String user, Optional<String> room) {
        return new TokenIssuer(SECRET.getBytes(StandardCharsets.UTF_8), Clock.systemUTC())
                .issue(user, Optional.empty(), room, Optional.empty(), Duration.ofMinutes(10));
    }

    private static SignalingClient connect(ServerProcess server) throws InterruptedException {
        return SignalingClient.connect(URI.create("ws://127.0.0.1:" + server.port("http", "tcp") + "/ws"), WAIT);
    }

    @Test
    void aClientWhoseResumeIsRefusedAfterACrashLearnsFromWelcomeWhichCallsEnded() throws Exception {
        List<String> jvm = new ArrayList<>(ServerProcess.loopbackFreePorts());
        jvm.add("-Dparley.auth.secret=" + SECRET);
        String aliceToken = token("alice", Optional.of("standup"));
        String callId;
        String resumeToken;
        long lastSeq;
        try (ServerProcess first = ServerProcess.start(dir, jvm);
                SignalingClient alice = connect(first);
                SignalingClient bob = connect(first)) {
            alice.hello(aliceToken, "phone");
            bob.hello(token("bob", Optional.empty()), "laptop");
            callId = alice.request("call.invite", "to", "bob", "media", "audio").get("callId").asText();
            bob.expectEvent("call.incoming");
            bob.request("call.accept", "callId", callId);
            alice.awaitEvent("call.accepted");
            alice.request("room.join", "roomId", "standup");
            resumeToken = alice.resumeToken();
            lastSeq = alice.lastSeq();

            first.signal("KILL");
            assertNotEquals(0, first.exitCode(WAIT), "killed, not stopped");
        }

        try (ServerProcess second = ServerProcess.start(dir, jvm);
                SignalingClient alice = connect(second)) {
            JsonNode welcome = alice.resume(aliceToken, "phone", resumeToken, lastSeq, List.of(callId),
                    List.of("standup"));
            assertFalse(welcome.get("resumed").asBoolean(), "the restarted server knows no session");
            assertEquals(List.of(new SignalingClient.Ended(callId, null, "server_restarted"),
                    new SignalingClient.Ended(null, "standup", "server_restarted")), alice.ended());
            // what the client would otherwise have learnt on its next request
            assertEquals("unknown_call", assertThrows(SignalingException.class,
                    () -> alice.request("call.hangup", "callId", callId)).code());
        }
    }
}
