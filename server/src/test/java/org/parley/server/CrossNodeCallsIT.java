package org.parley.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import io.lettuce.core.RedisClient;
import io.lettuce.core.api.StatefulRedisConnection;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.parley.relay.client.e2ee.IdentityKeys;
import org.parley.signaling.client.SignalingClient;

/**
 * One-to-one calls whose parties, devices and calls sit on different nodes behave as docs/protocol.md
 * says for one node (docs/cluster.md "Calls across nodes"): busy and glare, a device that signs in
 * while a call rings, hand-off both ways, end-to-end encrypted calls and their take-over. A real
 * redis-server and four Parley processes started once for every case: a, b and c with pool relays,
 * o signaling only (killed by the last case that uses it). Each case has users of its own.
 */
class CrossNodeCallsIT {

    private static final Duration WAIT = Duration.ofSeconds(30);
    private static RedisCluster cluster;
    private static ServerProcess a;
    private static ServerProcess b;
    private static ServerProcess c;
    private static ServerProcess o;

    @BeforeAll
    static void start() throws Exception {
        cluster = new RedisCluster(Files.createTempDirectory("cross-node-calls"), WAIT, "cross-node-calls-it");
        a = cluster.relayNode("a");
        b = cluster.relayNode("b");
        c = cluster.relayNode("c");
        o = cluster.signalingNode("o");
        for (ServerProcess n : List.of(a, b, c, o)) {
            cluster.awaitRelays(n, 3);
        }
    }

    @AfterAll
    static void stop() throws Exception {
        if (cluster != null) {
            cluster.close();
        }
    }

    private static SignalingClient signIn(ServerProcess node, String user, String device) throws Exception {
        SignalingClient s = cluster.connect(node);
        s.hello(RedisCluster.token(user), device);
        return s;
    }

    /** A device that announces an end-to-end encryption identity key in its hello (docs/protocol.md §12). */
    private static SignalingClient signIn(ServerProcess node, String user, String device, String identityKey)
            throws Exception {
        SignalingClient s = cluster.connect(node);
        s.request("hello", "token", RedisCluster.token(user), "device", device, "e2ee", Map.of("identityKey", identityKey));
        return s;
    }

    /** Bob is in a call run by node a; carol, on node c, calling him or his peer gets busy, as from one node. */
    @Test
    void aUserInACallRunByAnotherNodeIsBusy() throws Exception {
        try (SignalingClient alice = signIn(a, "busy-alice", "phone");
                SignalingClient bob = signIn(b, "busy-bob", "laptop");
                SignalingClient carol = signIn(c, "busy-carol", "phone")) {
            cluster.awaitPresence("busy-bob", 1);
            String callId = alice.request("call.invite", "to", "busy-bob", "media", "audio").get("callId").asText();
            bob.awaitEvent("call.incoming");
            bob.request("call.accept", "callId", callId);
            alice.awaitEvent("call.accepted");

            for (String callee : List.of("busy-bob", "busy-alice")) {
                String refused = carol.request("call.invite", "to", callee, "media", "audio").get("callId").asText();
                JsonNode first = carol.nextEvent(WAIT);
                assertEquals("call.ended", first.path("type").asText(), callee + " is in a call: " + first);
                assertEquals("busy", first.path("reason").asText(), first.toString());
                assertEquals(refused, first.path("callId").asText(), first.toString());
            }

            // the call ends: bob is free again and rings
            alice.request("call.hangup", "callId", callId);
            bob.awaitEvent("call.ended");
            awaitNoCalls("busy-bob");
            String next = carol.request("call.invite", "to", "busy-bob", "media", "audio").get("callId").asText();
            JsonNode ringing = carol.nextEvent(WAIT);
            assertEquals("call.ringing", ringing.path("type").asText(), ringing.toString());
            assertEquals(next, bob.awaitEvent("call.incoming").path("callId").asText());
            carol.request("call.cancel", "callId", next);
        }
    }

    /** Dave (node b) and erin (node c) call each other at once: one call, erin's invite accepts dave's. */
    @Test
    void crossingInvitesAtTwoNodesBecomeOneCall() throws Exception {
        try (SignalingClient dave = signIn(b, "glare-dave", "laptop");
                SignalingClient erin = signIn(c, "glare-erin", "phone")) {
            cluster.awaitPresence("glare-erin", 1);
            String callId = dave.request("call.invite", "to", "glare-erin", "media", "audio").get("callId").asText();
            erin.awaitEvent("call.incoming");

            JsonNode crossing = erin.request("call.invite", "to", "glare-dave", "media", "audio");
            assertTrue(crossing.path("glare").asBoolean(), crossing.toString());
            assertEquals(callId, crossing.path("callId").asText(), "the invite that came first stands: " + crossing);
            assertEquals("glare-dave", crossing.path("peer").path("user").asText(), crossing.toString());
            JsonNode accepted = dave.awaitEvent("call.accepted");
            assertEquals("phone", accepted.path("peer").path("device").asText(), accepted.toString());

            // erin's node now sends her requests about the call to its owner
            erin.request("call.hangup", "callId", callId);
            assertEquals("hangup", dave.awaitEvent("call.ended").path("reason").asText());
        }
    }

    /**
     * Alice (node a) and bob (node b) invite each other at the same instant, ten times: each time
     * exactly one call, the later invite being its acceptance (reply {@code glare: true}), the other
     * side hearing {@code call.accepted}; nobody is rung for a second call.
     */
    @Test
    void invitesSentAtTheSameInstantAtTwoNodesBecomeOneCall() throws Exception {
        try (SignalingClient alice = signIn(a, "instant-alice", "phone");
                SignalingClient bob = signIn(b, "instant-bob", "laptop")) {
            cluster.awaitPresence("instant-alice", 1);
            cluster.awaitPresence("instant-bob", 1);
            for (int round = 0; round < 10; round++) {
                java.util.concurrent.CompletableFuture<JsonNode> fromAlice =
                        alice.send("call.invite", "to", "instant-bob", "media", "audio");
                java.util.concurrent.CompletableFuture<JsonNode> fromBob =
                        bob.send("call.invite", "to", "instant-alice", "media", "audio");
                JsonNode aliceReply = fromAlice.get(WAIT.toMillis(), java.util.concurrent.TimeUnit.MILLISECONDS);
                JsonNode bobReply = fromBob.get(WAIT.toMillis(), java.util.concurrent.TimeUnit.MILLISECONDS);
                String replies = "round " + round + ": alice " + aliceReply + ", bob " + bobReply;
                assertTrue(aliceReply.path("glare").asBoolean() ^ bobReply.path("glare").asBoolean(),
                        "exactly one invite becomes the acceptance of the other: " + replies);
                assertEquals(aliceReply.path("callId").asText(), bobReply.path("callId").asText(), "one call: " + replies);
                String callId = aliceReply.path("callId").asText();
                boolean aliceFirst = bobReply.path("glare").asBoolean();
                SignalingClient first = aliceFirst ? alice : bob;
                SignalingClient second = aliceFirst ? bob : alice;

                List<JsonNode> firstSaw = new java.util.ArrayList<>();
                List<JsonNode> secondSaw = new java.util.ArrayList<>();
                takeUntil(first, "call.accepted", callId, firstSaw);
                first.request("call.hangup", "callId", callId);
                assertEquals("hangup", takeUntil(second, "call.ended", callId, secondSaw).path("reason").asText());
                // anything a second call would have sent is queued by now: both calls rang at once
                while (!first.quietOrTakeInto(Duration.ofMillis(300), firstSaw::add)
                        || !second.quietOrTakeInto(Duration.ofMillis(300), secondSaw::add)) {
                    assertTrue(firstSaw.size() + secondSaw.size() < 100, "endless events: " + firstSaw + secondSaw);
                }
                assertEquals(0, incoming(firstSaw), "the first inviter was rung: " + replies + " " + firstSaw);
                assertEquals(1, incoming(secondSaw), "the second inviter rang once, for the first call: " + replies
                        + " " + secondSaw);
                awaitNoCalls("instant-alice");
                awaitNoCalls("instant-bob");
            }
        }
    }

    /** Takes events into {@code seen} until one of {@code type} for {@code callId}, which it answers. */
    private static JsonNode takeUntil(SignalingClient client, String type, String callId, List<JsonNode> seen) {
        while (true) {
            JsonNode e = client.nextEvent(WAIT);
            seen.add(e);
            if (type.equals(e.path("type").asText()) && callId.equals(e.path("callId").asText())) {
                return e;
            }
        }
    }

    private static long incoming(List<JsonNode> events) {
        return events.stream().filter(e -> "call.incoming".equals(e.path("type").asText())).count();
    }

    /** Gina's phone signs in at node c while frank's call (node a) rings her laptop (node b): the phone rings and answers. */
    @Test
    void aDeviceSigningInAtAnotherNodeWhileTheCallRingsRingsToo() throws Exception {
        try (SignalingClient frank = signIn(a, "late-frank", "phone");
                SignalingClient laptop = signIn(b, "late-gina", "laptop")) {
            cluster.awaitPresence("late-gina", 1);
            String callId = frank.request("call.invite", "to", "late-gina", "media", "audio").get("callId").asText();
            laptop.awaitEvent("call.incoming");
            try (SignalingClient phone = signIn(c, "late-gina", "phone")) {
                JsonNode incoming = phone.awaitEvent("call.incoming");
                assertEquals(callId, incoming.path("callId").asText(), incoming.toString());
                assertEquals("late-frank", incoming.path("from").path("user").asText(), incoming.toString());

                phone.request("call.accept", "callId", callId);
                assertEquals("answered_elsewhere", laptop.awaitEvent("call.ended").path("reason").asText());
                assertEquals("phone", frank.awaitEvent("call.accepted").path("peer").path("device").asText());
                frank.request("call.hangup", "callId", callId);
                assertEquals("hangup", phone.awaitEvent("call.ended").path("reason").asText());
            }
        }
    }

    /**
     * Harry (node a) talks with ivy's laptop (node b); the laptop pushes the call to her phone
     * (node c), which then carries the media both ways; the laptop pulls it back and carries it.
     */
    @Test
    void aCallHandedToADeviceAtAnotherNodeAndPulledBackCarriesMedia() throws Exception {
        try (SignalingClient harry = signIn(a, "handoff-harry", "phone");
                SignalingClient laptop = signIn(b, "handoff-ivy", "laptop");
                SignalingClient phone = signIn(c, "handoff-ivy", "phone")) {
            cluster.awaitPresence("handoff-ivy", 2);
            String callId = harry.request("call.invite", "to", "handoff-ivy", "media", "audio").get("callId").asText();
            laptop.awaitEvent("call.incoming");
            phone.awaitEvent("call.incoming");
            laptop.request("call.accept", "callId", callId);
            phone.awaitEvent("call.ended");
            harry.awaitEvent("call.accepted");
            try (CallParty h = new CallParty(harry, callId, WAIT)) {
                h.publish();
                try (CallParty l = new CallParty(laptop, callId, WAIT)) {
                    l.publish();
                    h.awaitMedia(WAIT);

                    // push: laptop (b) -> phone (c)
                    laptop.send("call.transfer", "callId", callId, "toDevice", "phone").get(WAIT.toMillis(),
                            java.util.concurrent.TimeUnit.MILLISECONDS);
                    assertEquals("transferred", l.event("call.ended").path("reason").asText());
                }
                JsonNode handoff = phone.awaitEvent("call.handoff");
                assertEquals(callId, handoff.path("callId").asText(), handoff.toString());
                assertEquals("handoff-harry", handoff.path("peer").path("user").asText(), handoff.toString());
                assertEquals("phone", h.event("call.transferred").path("peer").path("device").asText());
                try (CallParty p = new CallParty(phone, callId, WAIT)) {
                    p.publish();
                    h.awaitMedia(WAIT);
                    p.awaitMedia(WAIT);

                    // pull: the laptop (b), which no longer knows where the call runs, takes it back
                    JsonNode pulled = laptop.request("call.pull", "callId", callId);
                    assertEquals(callId, pulled.path("callId").asText(), pulled.toString());
                    assertEquals("handoff-harry", pulled.path("peer").path("user").asText(), pulled.toString());
                    assertEquals("transferred", p.event("call.ended").path("reason").asText());
                }
                assertEquals("laptop", h.event("call.transferred").path("peer").path("device").asText());
                try (CallParty l = new CallParty(laptop, callId, WAIT)) {
                    l.publish();
                    h.awaitMedia(WAIT);
                    l.awaitMedia(WAIT);
                    harry.request("call.hangup", "callId", callId);
                    assertEquals("hangup", l.event("call.ended").path("reason").asText());
                }
                assertTrue(h.failure.get() == null, h.failure.get());
            }
        }
    }

    /**
     * An end-to-end encrypted call between nodes a and b, pulled by kate's phone at node c with the
     * key of its hello only, then pushed to her laptop: every device learns the right identity key
     * and the wrapped media keys reach the addressed device at its node.
     */
    @Test
    void anEndToEndEncryptedCallAcrossNodesCarriesIdentityKeysThroughHandOffs() throws Exception {
        String jackKey = IdentityKeys.generate().publicKey();
        String laptopKey = IdentityKeys.generate().publicKey();
        String phoneKey = IdentityKeys.generate().publicKey();
        try (SignalingClient jack = signIn(a, "e2ee-jack", "phone", jackKey);
                SignalingClient laptop = signIn(b, "e2ee-kate", "laptop", laptopKey);
                SignalingClient phone = signIn(c, "e2ee-kate", "phone", phoneKey)) {
            cluster.awaitPresence("e2ee-kate", 2);
            String callId = jack.request("call.invite", "to", "e2ee-kate", "media", "audio",
                    "e2ee", Map.of("identityKey", jackKey)).get("callId").asText();
            JsonNode incoming = laptop.awaitEvent("call.incoming");
            assertTrue(incoming.path("e2ee").asBoolean(), incoming.toString());
            assertEquals(jackKey, incoming.path("identityKey").asText(), incoming.toString());
            phone.awaitEvent("call.incoming");
            assertEquals("e2ee_required", code(() -> laptop.request("call.accept", "callId", callId)));
            laptop.request("call.accept", "callId", callId, "e2ee", Map.of("identityKey", laptopKey));
            assertEquals(laptopKey, jack.awaitEvent("call.accepted").path("identityKey").asText());
            phone.awaitEvent("call.ended");
            laptop.request("e2ee.key", "callId", callId, "payload", "wrapped-for-jack");
            assertEquals("wrapped-for-jack", jack.awaitEvent("e2ee.key").path("payload").asText());

            // the phone (node c) pulls with the key of its hello only
            JsonNode pulled = phone.request("call.pull", "callId", callId);
            assertTrue(pulled.path("e2ee").asBoolean(), pulled.toString());
            assertEquals(jackKey, pulled.path("identityKey").asText(), pulled.toString());
            JsonNode moved = jack.awaitEvent("call.transferred");
            assertEquals(phoneKey, moved.path("identityKey").asText(), moved.toString());
            phone.request("e2ee.key", "callId", callId, "payload", "from-phone");
            assertEquals("from-phone", jack.awaitEvent("e2ee.key").path("payload").asText());
            jack.request("e2ee.key", "callId", callId, "payload", "for-phone");
            JsonNode key = phone.awaitEvent("e2ee.key");
            assertEquals("for-phone", key.path("payload").asText(), key.toString());
            assertEquals("e2ee-jack", key.path("from").path("user").asText(), key.toString());

            // pushed back to the laptop (node b), which gave its key in its hello
            phone.request("call.transfer", "callId", callId, "toDevice", "laptop");
            JsonNode handoff = laptop.awaitEvent("call.handoff");
            assertTrue(handoff.path("e2ee").asBoolean(), handoff.toString());
            assertEquals(jackKey, handoff.path("identityKey").asText(), handoff.toString());
            assertEquals(laptopKey, jack.awaitEvent("call.transferred").path("identityKey").asText());
            jack.request("call.hangup", "callId", callId);
            assertEquals("hangup", laptop.awaitEvent("call.ended").path("reason").asText());
        }
    }

    /**
     * The node running an end-to-end encrypted call (o) is killed: node b takes it over with both
     * identity keys, so mia's wrapped key is still accepted and reaches liam when he resumes at c.
     */
    @Test
    void anEndToEndEncryptedCallTakenOverFromADeadNodeStaysEncrypted() throws Exception {
        String liamKey = IdentityKeys.generate().publicKey();
        String miaKey = IdentityKeys.generate().publicKey();
        String liamToken = RedisCluster.token("takeover-liam");
        SignalingClient liam = cluster.connect(o);
        JsonNode welcome = liam.request("hello", "token", liamToken, "device", "phone",
                "e2ee", Map.of("identityKey", liamKey));
        String sessionId = welcome.path("sessionId").asText();
        String resumeToken = welcome.path("resumeToken").asText();
        try (SignalingClient mia = signIn(b, "takeover-mia", "laptop", miaKey)) {
            cluster.awaitPresence("takeover-mia", 1);
            String callId = liam.request("call.invite", "to", "takeover-mia", "media", "audio",
                    "e2ee", Map.of("identityKey", liamKey)).get("callId").asText();
            mia.awaitEvent("call.incoming");
            mia.request("call.accept", "callId", callId, "e2ee", Map.of("identityKey", miaKey));
            liam.awaitEvent("call.accepted");
            long lastSeq = liam.lastSeq();

            o.signal("KILL");
            assertNotEquals(0, o.exitCode(WAIT), "killed, not stopped");
            b.awaitLine("took over call " + callId + " from node o", WAIT);
            liam.abort();

            mia.request("e2ee.key", "callId", callId, "payload", "wrapped-for-liam");
            try (SignalingClient back = SignalingClient.connect(List.of(RedisCluster.wsUri(c)), WAIT).timeout(WAIT)) {
                JsonNode resumed = back.resume(liamToken, "phone", resumeToken, lastSeq);
                assertTrue(resumed.path("resumed").asBoolean(), resumed.toString());
                assertEquals(sessionId, resumed.path("sessionId").asText());
                JsonNode key = back.awaitEvent("e2ee.key");
                assertEquals("wrapped-for-liam", key.path("payload").asText(), key.toString());
                back.request("e2ee.key", "callId", callId, "payload", "wrapped-for-mia");
                assertEquals("wrapped-for-mia", mia.awaitEvent("e2ee.key").path("payload").asText());
                mia.request("call.hangup", "callId", callId);
                assertEquals("hangup", back.awaitEvent("call.ended").path("reason").asText());
            }
        }
    }

    /** Waits until the call directory in Redis lists no call of {@code user} (its owner removes them asynchronously). */
    private static void awaitNoCalls(String user) throws InterruptedException {
        RedisClient client = RedisClient.create(cluster.redis.url());
        try (StatefulRedisConnection<String, String> conn = client.connect()) {
            long deadline = System.nanoTime() + WAIT.toNanos();
            while (conn.sync().hlen("parley:calls:{" + user + "}") != 0) {
                assertTrue(System.nanoTime() < deadline, user + "'s ended call stayed in Redis");
                Thread.sleep(20);
            }
        } finally {
            client.shutdown();
        }
    }

    private static String code(org.junit.jupiter.api.function.Executable request) {
        return org.junit.jupiter.api.Assertions.assertThrows(org.parley.signaling.client.SignalingException.class,
                request).code();
    }
}
