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
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.parley.signaling.auth.Role;
import org.parley.signaling.auth.TokenIssuer;
import org.parley.signaling.client.SignalingClient;

/**
 * The node that runs a room dies and another takes the room over (docs/cluster.md "Rooms across
 * nodes"): a real redis-server and three Parley processes. Alice joins room {@code sync} first at
 * node o (signaling only), so o runs it; bob (a moderator) joins at node b and carol at node c,
 * and their media goes through a pool relay of b or c. Node o is killed outright: b or c claims
 * the room from its record in Redis; bob and carol's media goes on, bob mutes carol through the
 * new owner, a newcomer sees all three, and alice resumes at node c with the same session, still
 * in the room, her requests about it answered by the new owner.
 */
class RoomOwnerDeathIT {

    private static final Duration WAIT = Duration.ofSeconds(60);

    @TempDir
    Path dir;

    private static String token(String user, Role role) {
        return new TokenIssuer(RedisCluster.SECRET.getBytes(StandardCharsets.UTF_8), Clock.systemUTC())
                .issue(user, Optional.empty(), Optional.of("sync"), Optional.of(role), Duration.ofMinutes(10));
    }

    /** Waits until Redis names a live node other than {@code dead} as the room's owner. */
    private static String awaitNewOwner(RedisCluster cluster, String dead) throws InterruptedException {
        RedisClient client = RedisClient.create(cluster.redis.url());
        try (StatefulRedisConnection<String, String> c = client.connect()) {
            long deadline = System.nanoTime() + WAIT.toNanos();
            while (true) {
                String owner = c.sync().hget("parley:room:{sync}", "owner");
                if (owner != null && !owner.equals(dead)) {
                    return owner;
                }
                assertTrue(System.nanoTime() < deadline, "nobody took room sync over; owner " + owner);
                Thread.sleep(100);
            }
        } finally {
            client.shutdown();
        }
    }

    @Test
    void aRoomWhoseOwnerWasKilledGoesOnAtAnotherNodeWithItsMembersMediaAndModerators() throws Exception {
        try (RedisCluster cluster = new RedisCluster(dir, WAIT, "room-owner-death-it")) {
            ServerProcess o = cluster.signalingNode("o");
            ServerProcess b = cluster.relayNode("b");
            ServerProcess c = cluster.relayNode("c");
            cluster.awaitRelays(o, 2);
            String aliceToken = token("alice", Role.PARTICIPANT);
            SignalingClient aliceOnO = cluster.connect(o);
            aliceOnO.hello(aliceToken, "phone");
            String aliceId = aliceOnO.request("room.join", "roomId", "sync").get("participantId").asText();
            try (SignalingClient bob = cluster.connect(b);
                    SignalingClient carol = cluster.connect(c)) {
                bob.hello(token("bob", Role.MODERATOR), "laptop");
                carol.hello(token("carol", Role.PARTICIPANT), "laptop");
                String bobId = bob.request("room.join", "roomId", "sync").get("participantId").asText();
                String carolId = carol.request("room.join", "roomId", "sync").get("participantId").asText();
                try (CallParty bobMedia = new CallParty(bob, "roomId", "sync", WAIT);
                        CallParty carolMedia = new CallParty(carol, "roomId", "sync", WAIT)) {
                    bobMedia.publish();
                    carolMedia.publish();
                    bobMedia.awaitMedia(WAIT);
                    carolMedia.awaitMedia(WAIT);

                    // node o, which runs the room, dies; b or c takes it over from its record
                    o.signal("KILL");
                    assertNotEquals(0, o.exitCode(WAIT), "killed, not stopped");
                    String owner = awaitNewOwner(cluster, "o");
                    (owner.equals("b") ? b : c).awaitLine("took over room sync from node o", WAIT);
                    // the other node learnt it from its own claim (requests sent before time out, as for calls)
                    (owner.equals("b") ? c : b).awaitLine("room sync runs at node " + owner + " now", WAIT);
                    String resumeToken = aliceOnO.resumeToken();
                    long lastSeq = aliceOnO.lastSeq();
                    aliceOnO.abort();

                    // the media never stopped, and the moderator's action is the new owner's
                    bobMedia.awaitMedia(WAIT);
                    carolMedia.awaitMedia(WAIT);
                    bob.request("room.mute", "roomId", "sync", "participantId", carolId, "kind", "audio");
                    JsonNode muted = carolMedia.event("room.muted");
                    assertEquals(bobId, muted.get("by").asText(), muted.toString());

                    // a newcomer at node b finds the room as it was: alice (awaiting her resume), bob, carol
                    try (SignalingClient dave = cluster.connect(b)) {
                        dave.hello(token("dave", Role.PARTICIPANT), "laptop");
                        JsonNode joined = dave.request("room.join", "roomId", "sync");
                        String daveId = joined.get("participantId").asText();
                        Set<String> ids = new HashSet<>();
                        joined.get("participants").forEach(p -> ids.add(p.get("participantId").asText()));
                        assertEquals(Set.of(aliceId, bobId, carolId), ids, joined.toString());
                        JsonNode carolThere = null;
                        for (JsonNode p : joined.get("participants")) {
                            if (p.get("participantId").asText().equals(carolId)) {
                                carolThere = p;
                            }
                        }
                        assertEquals(true, carolThere.get("audioMuted").asBoolean(), joined.toString());

                        // dave publishes: the members of before the take-over get the relay's new
                        // subscriber offer through the new owner, and decode dave's audio
                        try (CallParty daveMedia = new CallParty(dave, "roomId", "sync", WAIT)) {
                            daveMedia.publish();
                            daveMedia.awaitMediaFrom(bobId, WAIT);
                            bobMedia.awaitMediaFrom(daveId, WAIT);
                            carolMedia.awaitMediaFrom(daveId, WAIT);
                        }
                    }

                    // alice comes back at node c: the same session, still in the room, which now runs elsewhere
                    try (SignalingClient aliceOnC = SignalingClient.connect(
                            List.of(RedisCluster.wsUri(o), RedisCluster.wsUri(c)), WAIT).timeout(WAIT)) {
                        JsonNode welcome = aliceOnC.resume(aliceToken, "phone", resumeToken, lastSeq);
                        assertTrue(welcome.get("resumed").asBoolean(), welcome.toString());
                        assertEquals(aliceId, welcome.get("sessionId").asText(), "the same session");
                        aliceOnC.request("room.media", "roomId", "sync", "video", false);
                        JsonNode updated = bobMedia.event("room.participant_updated");
                        while (!updated.get("participant").get("participantId").asText().equals(aliceId)) {
                            updated = bobMedia.event("room.participant_updated");
                        }
                        aliceOnC.request("room.leave", "roomId", "sync");
                        JsonNode left = bobMedia.event("room.participant_left");
                        assertEquals(aliceId, left.get("participantId").asText(), left.toString());
                    }
                    assertTrue(bobMedia.failure.get() == null, bobMedia.failure.get());
                    assertTrue(carolMedia.failure.get() == null, carolMedia.failure.get());
                }
            }
        }
    }
}
