package org.parley.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.lettuce.core.RedisClient;
import io.lettuce.core.api.StatefulRedisConnection;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.parley.signaling.auth.Role;
import org.parley.signaling.auth.TokenIssuer;
import org.parley.signaling.client.SignalingClient;

/**
 * The node that owns a call dies and another takes the call over (docs/cluster.md "A call's owner
 * dies"): a real redis-server and three Parley processes. Alice, on node o (signaling only), calls
 * bob on node b; the call's media runs through a pool relay of node b or c. Node o is killed
 * outright: node b claims the call and runs it; bob, still connected, mutes and is answered, media
 * flows on; alice resumes at node c with the same session, gets the missed {@code call.media}, and
 * bob's hang-up ends the call for both. Then a call whose two devices were both on the dead node
 * (node d): they resume at b and c, which claim it, and it goes on. Last, node e drains (SIGTERM)
 * and hands its call and room over.
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
                String callId = CallParty.placeAcceptedAudioCall(aliceOnO, "bob", bob);
                try (CallParty alice = new CallParty(aliceOnO, callId, WAIT);
                        CallParty bobParty = new CallParty(bob, callId, WAIT)) {
                    CallParty.publishBoth(alice, bobParty);

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
                        CallParty.awaitMediaBothWays(alice, bobParty);

                        alice.awaitHangupBy(bob);
                        assertTrue(alice.failure.get() == null, alice.failure.get());
                        assertTrue(bobParty.failure.get() == null, bobParty.failure.get());
                    }
                }
            }
            bothDevicesOnTheDeadOwnerResumeAtTwoNodes(cluster, b, c);
            aDrainedNodeHandsItsCallAndRoomOver(cluster, b, c);
        }
    }

    private static String roomToken(String user) {
        return new TokenIssuer(RedisCluster.SECRET.getBytes(StandardCharsets.UTF_8), Clock.systemUTC())
                .issue(user, Optional.empty(), Optional.of("handover"), Optional.of(Role.PARTICIPANT), Duration.ofMinutes(10));
    }

    /**
     * SIGTERM on node e, which runs frank's call with hank (at b) and ivy's room with gina (at c):
     * e closes its clients with 1001 and exits 0 at once (its drain grace is 120 s), b takes the
     * call and c the room over, frank resumes at c and ivy at b with their sessions, media goes on
     * and nothing ended: hank's mute reaches frank, ivy's room request is answered, and hank's
     * hang-up ends the call with "hangup".
     */
    private void aDrainedNodeHandsItsCallAndRoomOver(RedisCluster cluster, ServerProcess b, ServerProcess c)
            throws Exception {
        ServerProcess e = cluster.node("e", "-Dparley.relay.enabled=false",
                "-Dparley.remote-relay.secret=" + RedisCluster.API_SECRET, "-Dparley.shutdown.drain-grace-period=120s");
        cluster.awaitRelays(e, 2);
        String frankToken = RedisCluster.token("frank");
        String ivyToken = roomToken("ivy");
        SignalingClient frankOnE = cluster.connect(e);
        SignalingClient ivyOnE = cluster.connect(e);
        try (SignalingClient hank = cluster.connect(b);
                SignalingClient gina = cluster.connect(c)) {
            frankOnE.hello(frankToken, "phone");
            hank.hello(RedisCluster.token("hank"), "laptop");
            cluster.awaitPresence("hank", 1);
            String callId = CallParty.placeAcceptedAudioCall(frankOnE, "hank", hank);
            ivyOnE.hello(ivyToken, "phone");
            String ivyId = ivyOnE.request("room.join", "roomId", "handover").get("participantId").asText();
            gina.hello(roomToken("gina"), "laptop");
            String ginaId = gina.request("room.join", "roomId", "handover").get("participantId").asText();
            try (CallParty frank = new CallParty(frankOnE, callId, WAIT);
                    CallParty hankParty = new CallParty(hank, callId, WAIT);
                    CallParty ivy = new CallParty(ivyOnE, "roomId", "handover", WAIT);
                    CallParty ginaParty = new CallParty(gina, "roomId", "handover", WAIT)) {
                for (CallParty p : List.of(frank, hankParty, ivy, ginaParty)) {
                    p.publish();
                }
                CallParty.awaitMediaBothWays(frank, hankParty);
                ivy.awaitMediaFrom(ginaId, WAIT);
                ginaParty.awaitMediaFrom(ivyId, WAIT);

                e.signal("TERM");
                assertEquals(1001, frankOnE.awaitClose().code(), "told to reconnect elsewhere");
                assertEquals(1001, ivyOnE.awaitClose().code(), "told to reconnect elsewhere");
                assertEquals(0, e.exitCode(WAIT), "a clean stop, well before its 120 s drain grace");
                String frankResume = frankOnE.resumeToken();
                String ivyResume = ivyOnE.resumeToken();
                long frankSeq = frank.stop();
                long ivySeq = ivy.stop();

                // the others took over as from a node that died
                b.awaitLine("took over call " + callId + " from node e", WAIT);
                c.awaitLine("took over room handover from node e", WAIT);
                try (SignalingClient frankOnC = cluster.connect(c);
                        SignalingClient ivyOnB = cluster.connect(b)) {
                    JsonNode welcome = frankOnC.resume(frankToken, "phone", frankResume, frankSeq);
                    assertTrue(welcome.get("resumed").asBoolean(), welcome.toString());
                    frank.resumeOn(frankOnC);
                    welcome = ivyOnB.resume(ivyToken, "phone", ivyResume, ivySeq);
                    assertTrue(welcome.get("resumed").asBoolean(), welcome.toString());
                    assertEquals(ivyId, welcome.get("sessionId").asText(), "the same session");
                    ivy.resumeOn(ivyOnB);

                    hank.request("call.media", "callId", callId, "audio", false);
                    JsonNode muted = frank.event("call.media");
                    assertEquals("hank", muted.get("user").asText(), muted.toString());
                    CallParty.awaitMediaBothWays(frank, hankParty);
                    ivyOnB.request("room.media", "roomId", "handover", "video", false);
                    ivy.awaitMediaFrom(ginaId, WAIT);
                    ginaParty.awaitMediaFrom(ivyId, WAIT);

                    frank.awaitHangupBy(hank);
                    for (CallParty p : List.of(frank, hankParty, ivy, ginaParty)) {
                        assertTrue(p.failure.get() == null, p.failure.get());
                    }
                }
            }
        }
    }

    /** Waits until Redis names a node other than {@code dead} as the call's owner. */
    private static String awaitCallOwner(RedisCluster cluster, String callId, String dead) throws InterruptedException {
        RedisClient client = RedisClient.create(cluster.redis.url());
        try (StatefulRedisConnection<String, String> conn = client.connect()) {
            long deadline = System.nanoTime() + WAIT.toNanos();
            while (true) {
                String owner = conn.sync().hget("parley:call:{" + callId + "}", "owner");
                if (owner != null && !owner.equals(dead)) {
                    return owner;
                }
                assertTrue(System.nanoTime() < deadline, "nobody took call " + callId + " over; owner " + owner);
                Thread.sleep(100);
            }
        } finally {
            client.shutdown();
        }
    }

    /**
     * Dave calls erin, both on node d, which is killed: nobody has a route to the call, so the
     * nodes where they resume (b and c) claim it, one wins and the other follows it; the call goes
     * on with media both ways, each side's request is answered, and a hang-up ends it for both.
     */
    private void bothDevicesOnTheDeadOwnerResumeAtTwoNodes(RedisCluster cluster, ServerProcess b, ServerProcess c)
            throws Exception {
        ServerProcess d = cluster.signalingNode("d");
        cluster.awaitRelays(d, 2);
        String daveToken = RedisCluster.token("dave");
        String erinToken = RedisCluster.token("erin");
        SignalingClient daveOnD = cluster.connect(d);
        SignalingClient erinOnD = cluster.connect(d);
        daveOnD.hello(daveToken, "phone");
        erinOnD.hello(erinToken, "phone");
        String callId = CallParty.placeAcceptedAudioCall(daveOnD, "erin", erinOnD);
        try (CallParty dave = new CallParty(daveOnD, callId, WAIT);
                CallParty erin = new CallParty(erinOnD, callId, WAIT)) {
            CallParty.publishBoth(dave, erin);

            d.signal("KILL");
            assertNotEquals(0, d.exitCode(WAIT), "killed, not stopped");
            String daveResume = daveOnD.resumeToken();
            String erinResume = erinOnD.resumeToken();
            long daveSeq = dave.stop();
            long erinSeq = erin.stop();
            daveOnD.abort();
            erinOnD.abort();

            try (SignalingClient daveOnB = cluster.connect(b);
                    SignalingClient erinOnC = cluster.connect(c)) {
                assertTrue(daveOnB.resume(daveToken, "phone", daveResume, daveSeq).get("resumed").asBoolean());
                dave.resumeOn(daveOnB);
                assertTrue(erinOnC.resume(erinToken, "phone", erinResume, erinSeq).get("resumed").asBoolean());
                erin.resumeOn(erinOnC);

                // b or c won the claim and runs the call; the other follows it
                String owner = awaitCallOwner(cluster, callId, "d");
                (owner.equals("b") ? b : c).awaitLine("took over call " + callId + " from node d", WAIT);
                boolean daveWon = owner.equals("b");
                SignalingClient winner = daveWon ? daveOnB : erinOnC;
                SignalingClient follower = daveWon ? erinOnC : daveOnB;
                CallParty winnerParty = daveWon ? dave : erin;
                CallParty followerParty = daveWon ? erin : dave;

                // the winner's device mutes, the follower's hears of it; media both ways
                winner.request("call.media", "callId", callId, "audio", false);
                JsonNode muted = followerParty.event("call.media");
                assertEquals(daveWon ? "dave" : "erin", muted.get("user").asText(), muted.toString());
                CallParty.awaitMediaBothWays(dave, erin);

                // the follower's hang-up goes to the winner and ends the call for both
                winnerParty.awaitHangupBy(follower);
                assertTrue(dave.failure.get() == null, dave.failure.get());
                assertTrue(erin.failure.get() == null, erin.failure.get());
            }
        }
    }
}
