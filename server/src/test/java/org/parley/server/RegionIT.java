package org.parley.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.parley.server.RemoteRelayHangIT.member;
import static org.parley.server.RemoteRelayHangIT.node;

import io.lettuce.core.RedisClient;
import io.lettuce.core.api.StatefulRedisConnection;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletionException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.parley.cluster.RedisServerProcess;
import org.parley.signaling.client.SignalingClient;
import org.parley.signaling.client.SignalingException;

/**
 * Relays by region (docs/cluster.md "Regions"): a real redis-server, a relay-only node in region
 * "east" and one in "west" (link sockets on), a signaling node preferring each region. Members of a
 * room on both signaling nodes (the room runs on the east node, which allocates every endpoint)
 * each get an endpoint on their own region's relay (the relay whose ICE candidates their answer
 * names), and every member receives every other member's numbered audio and video frames across the
 * link. A room created asking for region "west" by a device at the east node has its first relay
 * in the west (Redis placement), her own endpoint still in the east; a bad region is refused. A
 * relay-mode call between a device at each node gets one relay per region, and both parties
 * receive each other's frames.
 */
class RegionIT {

    private static final String API_SECRET = "relay-api-secret-for-the-region-test";
    private static final Duration WAIT = LinkedMember.WAIT;
    private static final int FRAMES = 30;

    @TempDir
    Path dir;

    private ServerProcess relay(RedisServerProcess redis, String region) throws Exception {
        return ServerProcess.start(Files.createDirectories(dir.resolve("relay-" + region)),
                node("-Dparley.signaling.enabled=false", "-Dparley.relay.api-secret=" + API_SECRET,
                        "-Dparley.cluster.redis=" + redis.url(), "-Dparley.relay.region=" + region,
                        "-Dparley.relay.cascade.port=0"));
    }

    private ServerProcess signaling(RedisServerProcess redis, String region) throws Exception {
        return ServerProcess.start(Files.createDirectories(dir.resolve("signaling-" + region)),
                node("-Dparley.relay.enabled=false", "-Dparley.remote-relay.secret=" + API_SECRET,
                        "-Dparley.cluster.redis=" + redis.url(), "-Dparley.cluster.relays.preferred-region=" + region,
                        "-Dparley.signaling.calls.media=relay", "-Dparley.cluster.heartbeat-interval=500ms",
                        "-Dparley.cluster.node-timeout=2s"));
    }

    @Test
    void everyDeviceIsOnItsRegionsRelayAndGetsEveryoneAcrossTheLink() throws Exception {
        try (RedisServerProcess redis = RedisServerProcess.start();
                ServerProcess east = relay(redis, "east");
                ServerProcess west = relay(redis, "west");
                ServerProcess eastSignaling = signaling(redis, "east");
                ServerProcess westSignaling = signaling(redis, "west")) {
            int eastPort = east.port("relay", "udp");
            int westPort = west.port("relay", "udp");
            URI eastWs = ws(eastSignaling);
            URI westWs = ws(westSignaling);
            RedisCluster.awaitRelays(eastSignaling, 2, WAIT);
            RedisCluster.awaitRelays(westSignaling, 2, WAIT);
            List<LinkedMember> all = new ArrayList<>();
            try {
                // a room: alice at the east node first (the room runs there), bob and carol at the west
                List<LinkedMember> room = new ArrayList<>();
                for (String name : List.of("alice", "bob", "carol")) {
                    URI at = "alice".equals(name) ? eastWs : westWs;
                    LinkedMember m = new LinkedMember(name, member(at, name, "laptop"), "roomId", "standup");
                    all.add(m);
                    room.add(m);
                    m.start();
                }
                assertEquals(eastPort, room.get(0).relayUdpPort(), "alice, at the east node, is on the east relay");
                assertEquals(westPort, room.get(1).relayUdpPort(), "bob, at the west node, is on the west relay");
                assertEquals(westPort, room.get(2).relayUdpPort(), "carol, at the west node, is on the west relay");
                LinkedMember.everyoneGetsEveryone(room, FRAMES);

                // a room asking for the west: its first relay is there, its east member's endpoint is not
                SignalingClient erin = SignalingClient.connect(eastWs, WAIT).timeout(WAIT);
                erin.hello(RemoteRelayHangIT.token("erin", "standup"), "laptop");
                CompletionException bad = assertThrows(CompletionException.class,
                        () -> erin.send("room.create", "roomId", "r-bad-region", "region", "west coast").join());
                assertEquals("invalid_field", ((SignalingException) bad.getCause()).code());
                erin.request("room.create", "roomId", "r-westward", "region", "west");
                erin.request("room.join", "roomId", "r-westward");
                LinkedMember erinMedia = new LinkedMember("erin", erin, "roomId", "r-westward");
                all.add(erinMedia);
                erinMedia.start();
                assertEquals(eastPort, erinMedia.relayUdpPort(), "erin's own endpoint is in her region");
                assertEquals("west", placementRegion(redis, "room-r-westward"), "the room's first relay");

                // a relay call between the east and the west: one relay each, linked
                SignalingClient daveSignaling = signedIn(eastWs, "dave");
                SignalingClient frankSignaling = signedIn(westWs, "frank");
                String callId = daveSignaling.request("call.invite", "to", "frank", "media", "video")
                        .get("callId").asText();
                frankSignaling.awaitEvent("call.incoming");
                frankSignaling.request("call.accept", "callId", callId);
                daveSignaling.awaitEvent("call.accepted");
                LinkedMember dave = new LinkedMember("dave", daveSignaling, "callId", callId);
                LinkedMember frank = new LinkedMember("frank", frankSignaling, "callId", callId);
                all.add(dave);
                all.add(frank);
                dave.start();
                frank.start();
                assertEquals(eastPort, dave.relayUdpPort(), "dave, at the east node, is on the east relay");
                assertEquals(westPort, frank.relayUdpPort(), "frank, at the west node, is on the west relay");
                LinkedMember.everyoneGetsEveryone(List.of(dave, frank), FRAMES);

                for (LinkedMember m : all) {
                    assertTrue(m.resets.isEmpty(), m.name + " was reset: " + m.resets);
                    assertTrue(m.failure.get() == null, m.name + ": " + m.failure.get());
                }
            } finally {
                for (LinkedMember m : all) {
                    m.close();
                }
                Path logs = Files.createDirectories(Path.of("target", "region-it"));
                for (ServerProcess p : List.of(east, west, eastSignaling, westSignaling)) {
                    Files.writeString(logs.resolve((p == east ? "relay-east" : p == west ? "relay-west"
                            : p == eastSignaling ? "signaling-east" : "signaling-west") + ".log"), p.output());
                }
            }
        }
    }

    /** The region of the relay a conference's placement names in Redis. */
    private static String placementRegion(RedisServerProcess redis, String conferenceId) {
        RedisClient client = RedisClient.create(redis.url());
        try (StatefulRedisConnection<String, String> c = client.connect()) {
            String relay = c.sync().get("parley:conference:" + conferenceId + ":relay");
            assertTrue(relay != null, "no placement of " + conferenceId);
            return c.sync().hget("parley:relay:" + relay, "region");
        } finally {
            client.shutdown();
        }
    }

    private static URI ws(ServerProcess node) throws InterruptedException {
        return URI.create("ws://127.0.0.1:" + node.port("http", "tcp") + "/ws");
    }

    private static SignalingClient signedIn(URI ws, String user) {
        SignalingClient c = SignalingClient.connect(ws, WAIT).timeout(WAIT);
        c.hello(RemoteRelayHangIT.token(user, "standup"), "laptop");
        return c;
    }
}
