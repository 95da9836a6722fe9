package org.parley.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.parley.signaling.client.SignalingClient;

/**
 * The node that owns a call dies and another takes the call over (docs/cluster.md "A call's owner
 * dies"): a real redis-server and three Parley processes. Alice, on node o (signaling only), calls
 * bob on node b; the call's media runs through a pool relay of node b or c. Node o is killed
 * outright: node b claims the call and runs it; bob, still connected, mutes and is answered, media
 * flows on; alice resumes at node c with the same session, gets the missed {@code call.media}, and
 * bob's hang-up ends the call for both.
 */
class OwnerDeathTakeoverIT {

    private static final Duration WAIT = Duration.ofSeconds(60);

    @TempDir
    Path dir;

    @Test
    void aCallWhoseOwnerWasKilledGoesOnAtTheOtherPartysNodeAndTheCallerResumesIntoIt() throws Exception {
        try (RedisCluster cluster = new RedisCluster(dir, WAIT, "owner-death-it")) {
            ServerProcess o = cluster.signalingNode("o");
            ServerProcess b = cluster.relayNode("b");
            ServerProcess c = cluster.relayNode("c");
            cluster.awaitRelays(o, 2);
            String aliceToken = RedisCluster.token("alice");
            SignalingClient aliceOnO = cluster.connect(o);
            aliceOnO.hello(aliceToken, "phone");
            String sessionId = aliceOnO.sessionId();
            try (SignalingClient bob = cluster.connect(b)) {
                bob.hello(RedisCluster.token("bob"), "laptop");
                cluster.awaitPresence("bob", 1);
                String callId = aliceOnO.request("call.invite", "to", "bob", "media", "audio").get("callId").asText();
                assertEquals(callId, bob.awaitEvent("call.incoming").get("callId").asText());
                bob.request("call.accept", "callId", callId);
                aliceOnO.awaitEvent("call.accepted");
                try (CallParty alice = new CallParty(aliceOnO, callId, WAIT);
                        CallParty bobParty = new CallParty(bob, callId, WAIT)) {
                    alice.publish();
                    bobParty.publish();
                    alice.awaitMedia(WAIT);
                    bobParty.awaitMedia(WAIT);

                    // node o, which owns the call, dies; node b (bob's) takes the call over
                    o.signal("KILL");
                    assertNotEquals(0, o.exitCode(WAIT), "killed, not stopped");
                    b.awaitLine("took over call " + callId + " from node o", WAIT);
                    String resumeToken = aliceOnO.resumeToken();
                    long lastSeq = alice.stop();
                    aliceOnO.abort();

                    // bob's call is still up: he mutes (answered by node b now) and media flows
                    bob.request("call.media", "callId", callId, "audio", false);
                    bobParty.awaitMedia(WAIT);

                    // alice comes back: node o refuses, node c takes her, in the same call
                    try (SignalingClient aliceOnC = SignalingClient.connect(
                            List.of(RedisCluster.wsUri(o), RedisCluster.wsUri(c)), WAIT).timeout(WAIT)) {
                        JsonNode welcome = aliceOnC.resume(aliceToken, "phone", resumeToken, lastSeq);
                        assertTrue(welcome.get("resumed").asBoolean(), welcome.toString());
                        assertEquals(sessionId, welcome.get("sessionId").asText(), "the same session");
                        alice.resumeOn(aliceOnC);
                        JsonNode missed = alice.event("call.media");
                        assertEquals(callId, missed.get("callId").asText(), missed.toString());
                        assertEquals("bob", missed.get("user").asText(), missed.toString());
                        assertEquals(false, missed.get("audio").asBoolean(true), missed.toString());
                        assertTrue(missed.get("seq").asLong() > lastSeq, missed.toString());

                        // the relay never noticed: media both ways, packets sent after the resume
                        alice.awaitMedia(WAIT);
                        bobParty.awaitMedia(WAIT);

                        bob.request("call.hangup", "callId", callId);
                        JsonNode ended = alice.event("call.ended");
                        assertEquals("hangup", ended.get("reason").asText(), ended.toString());
                        assertTrue(alice.failure.get() == null, alice.failure.get());
                        assertTrue(bobParty.failure.get() == null, bobParty.failure.get());
                    }
                }
            }
        }
    }
}
