package org.parley.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.Optional;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.parley.signaling.auth.Role;
import org.parley.signaling.auth.TokenIssuer;
import org.parley.signaling.client.SignalingClient;
import org.parley.signaling.client.SignalingException;

/**
 * Rooms whose participants sit on different nodes (docs/cluster.md "Rooms across nodes"): a real
 * redis-server and two Parley processes, each with a relay in the pool. The room runs on the node
 * of its first joiner; a device joining at the other node is forwarded there and gets the others'
 * media, moderators act across nodes with the typed errors unchanged, and an invite link made at
 * one node admits at the other. A user's message limit is counted in Redis, so spreading messages
 * over the nodes does not get round it. The cases share the processes and use rooms and users of
 * their own.
 */
class RoomsAcrossNodesIT {

    private static final Duration WAIT = Duration.ofSeconds(60);
    /** 100 messages per user a minute, over both nodes: far above what the room cases send. */
    private static final String USER_LIMIT = "-Dparley.signaling.user-rate-limit.messages=100";
    private static final String USER_WINDOW = "-Dparley.signaling.user-rate-limit.window=60s";

    @TempDir
    static Path dir;
    private static RedisCluster cluster;
    private static ServerProcess a;
    private static ServerProcess b;

    @BeforeAll
    static void start() throws Exception {
        cluster = new RedisCluster(dir, WAIT, "rooms-across-nodes-it");
        a = cluster.node("a", "-Dparley.relay.api-secret=" + RedisCluster.API_SECRET, USER_LIMIT, USER_WINDOW);
        b = cluster.node("b", "-Dparley.relay.api-secret=" + RedisCluster.API_SECRET, USER_LIMIT, USER_WINDOW);
        cluster.awaitRelays(a, 2);
        cluster.awaitRelays(b, 2);
    }

    @AfterAll
    static void stop() throws Exception {
        if (cluster != null) {
            cluster.close();
        }
    }

    /** A device signed in at {@code node} with a token granting {@code room} with {@code role}. */
    private static SignalingClient member(ServerProcess node, String user, String room, Role role) throws Exception {
        SignalingClient c = cluster.connect(node);
        c.hello(new TokenIssuer(RedisCluster.SECRET.getBytes(StandardCharsets.UTF_8), Clock.systemUTC())
                .issue(user, Optional.empty(), Optional.of(room), Optional.of(role), Duration.ofMinutes(10)), "laptop");
        return c;
    }

    private static SignalingClient user(ServerProcess node, String user) throws Exception {
        SignalingClient c = cluster.connect(node);
        c.hello(RedisCluster.token(user), "laptop");
        return c;
    }

    @Test
    void membersOnTwoNodesSeeEachOtherAndEachReceivesTheOthersMedia() throws Exception {
        try (SignalingClient alice = member(a, "alice", "standup", Role.PARTICIPANT);
                SignalingClient bob = member(b, "bob", "standup", Role.PARTICIPANT)) {
            String aliceId = alice.request("room.join", "roomId", "standup").get("participantId").asText();
            JsonNode joined = bob.request("room.join", "roomId", "standup");
            assertEquals(1, joined.get("participants").size(), "bob sees alice, who joined at the other node: " + joined);
            assertEquals(aliceId, joined.get("participants").get(0).get("participantId").asText(), joined.toString());
            JsonNode arrived = alice.awaitEvent("room.participant_joined");
            assertEquals("bob", arrived.get("participant").get("user").asText(), arrived.toString());

            try (CallParty aliceMedia = new CallParty(alice, "roomId", "standup", WAIT);
                    CallParty bobMedia = new CallParty(bob, "roomId", "standup", WAIT)) {
                aliceMedia.publish();
                bobMedia.publish();
                aliceMedia.awaitMedia(WAIT);
                bobMedia.awaitMedia(WAIT);

                // bob's own media state, set at node b, reaches alice through the room's node
                bob.request("room.media", "roomId", "standup", "audio", false);
                JsonNode updated = aliceMedia.event("room.participant_updated");
                assertEquals(false, updated.get("participant").get("audio").asBoolean(true), updated.toString());

                bob.request("room.leave", "roomId", "standup");
                JsonNode left = aliceMedia.event("room.participant_left");
                assertEquals("left", left.get("reason").asText(), left.toString());
                assertTrue(aliceMedia.failure.get() == null, aliceMedia.failure.get());
                assertTrue(bobMedia.failure.get() == null, bobMedia.failure.get());
            }
        }
    }

    @Test
    void aModeratorOnOneNodeMutesAndRemovesAParticipantOnTheOtherWithTypedErrorsUnchanged() throws Exception {
        try (SignalingClient owner = member(a, "olga", "review", Role.OWNER);
                SignalingClient carol = member(b, "carol", "review", Role.PARTICIPANT)) {
            String ownerId = owner.request("room.join", "roomId", "review").get("participantId").asText();
            String carolId = carol.request("room.join", "roomId", "review").get("participantId").asText();
            owner.awaitEvent("room.participant_joined");

            // carol may not moderate: the room's node refuses, and its error reaches her unchanged
            SignalingException refused = assertThrows(SignalingException.class, () -> carol.request("room.mute",
                    "roomId", "review", "participantId", ownerId, "kind", "audio"));
            assertEquals("forbidden", refused.code(), refused.getMessage());
            assertEquals("unknown_participant", assertThrows(SignalingException.class, () -> owner.request("room.mute",
                    "roomId", "review", "participantId", "nobody", "kind", "audio")).code());

            owner.request("room.mute", "roomId", "review", "participantId", carolId, "kind", "audio");
            JsonNode muted = carol.awaitEvent("room.muted");
            assertEquals("audio", muted.get("kind").asText(), muted.toString());
            assertEquals(ownerId, muted.get("by").asText(), muted.toString());

            owner.request("room.remove", "roomId", "review", "participantId", carolId);
            JsonNode removed = carol.awaitEvent("room.removed");
            assertEquals(ownerId, removed.get("by").asText(), removed.toString());
            assertEquals("removed", owner.awaitEvent("room.participant_left").get("reason").asText());
            assertEquals("removed", assertThrows(SignalingException.class,
                    () -> carol.request("room.join", "roomId", "review")).code(), "kept out at the room's node");

            owner.request("room.allow", "roomId", "review", "user", "carol");
            JsonNode back = carol.request("room.join", "roomId", "review");
            assertEquals("participant", back.get("role").asText(), back.toString());
        }
    }

    @Test
    void anInviteLinkMadeAtOneNodeAdmitsAtTheOtherUntilRevoked() throws Exception {
        try (SignalingClient ann = user(a, "ann");
                SignalingClient dave = user(b, "dave");
                SignalingClient eve = user(b, "eve")) {
            String roomId = ann.request("room.create").get("roomId").asText();
            ann.request("room.join", "roomId", roomId);
            JsonNode link = ann.request("room.invite_link", "roomId", roomId);
            String invite = link.get("invite").asText();

            JsonNode joined = dave.request("room.join", "roomId", roomId, "invite", invite);
            assertEquals("participant", joined.get("role").asText(), joined.toString());
            assertEquals(1, joined.get("participants").size(), "dave sees ann: " + joined);
            assertEquals("dave", ann.awaitEvent("room.participant_joined").get("participant").get("user").asText());

            ann.request("room.revoke_invite", "roomId", roomId, "inviteId", link.get("inviteId").asText());
            assertEquals("invite_revoked", assertThrows(SignalingException.class,
                    () -> eve.request("room.join", "roomId", roomId, "invite", invite)).code());
            // a room created at one node cannot be created again at the other
            assertEquals("room_exists", assertThrows(SignalingException.class,
                    () -> eve.request("room.create", "roomId", roomId)).code());
        }
    }

    @Test
    void aUserSpreadingMessagesOverTwoNodesMeetsOneLimit() throws Exception {
        try (SignalingClient onA = user(a, "flo");
                SignalingClient onB = user(b, "flo")) {
            for (int i = 0; i < 70; i++) {
                onA.request("ping"); // 70 of the user's 100: all answered
            }
            int answered = 0;
            int refused = 0;
            for (int i = 0; i < 70; i++) {
                try {
                    onB.request("ping");
                    answered++;
                } catch (SignalingException e) {
                    assertEquals("rate_limited", e.code(), e.getMessage());
                    refused++;
                }
            }
            System.out.println("user rate limit across nodes: node b answered " + answered + ", refused " + refused);
            // node b counts node a's 70: it lets through about 30 more (plus what was in flight
            // while Redis answered), far fewer than its own connection's budget would
            assertTrue(refused > 0, "node b refused none of the 140 messages: answered " + answered);
            assertTrue(answered <= 45, "node b answered " + answered + " of 70 though only ~30 remained");
        }
    }
}
