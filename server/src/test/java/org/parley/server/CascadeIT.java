package org.parley.server;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.parley.server.RemoteRelayHangIT.member;
import static org.parley.server.RemoteRelayHangIT.node;

import com.fasterxml.jackson.databind.JsonNode;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.parley.cluster.RedisServerProcess;
import org.parley.relay.client.MediaKind;
import org.parley.relay.client.ReceivedPacket;

/**
 * Cascading (docs/cluster.md "Cascading"): a real redis-server, two relay-only nodes and one
 * signaling node that puts at most two endpoints of a conference on one relay. Four members of a
 * room publish real media (ICE, DTLS, SRTP): alice and bob land on one relay, carol and dave on
 * the other, linked by the signaling node through both relays' control APIs. Every member gets
 * every other member's audio and video frames, intact and none missing, across the link or not;
 * dave's NACK for a packet of alice's video is answered, and his PLI crosses the link to alice,
 * whose next frame, a keyframe, reaches him. Then the linked relay is killed while alice and bob
 * keep sending numbered frames: only carol and dave (its members) get {@code relay.reset} and move to
 * the first relay, linked no more; alice and bob get no reset and every frame of each other's, the
 * move notwithstanding; then everyone gets everyone's media again.
 */
class CascadeIT {

    private static final String API_SECRET = "relay-api-secret-for-the-cascade-test";
    private static final String ROOM = "standup";
    private static final Duration WAIT = Duration.ofSeconds(30);
    private static final int FRAMES = 30;
    /** The first number of the frames alice and bob send while the linked relay dies. */
    private static final int STEADY = 1000;

    @TempDir
    Path dir;

    private ServerProcess relay(RedisServerProcess redis, String name) throws Exception {
        return ServerProcess.start(Files.createDirectories(dir.resolve(name)), node("-Dparley.signaling.enabled=false",
                "-Dparley.relay.api-secret=" + API_SECRET, "-Dparley.cluster.redis=" + redis.url(),
                "-Dparley.relay.region=test", "-Dparley.relay.cascade.port=0"));
    }

    @Test
    void aRoomOnTwoLinkedRelaysGetsEveryonesMedia() throws Exception {
        try (RedisServerProcess redis = RedisServerProcess.start();
                ServerProcess relay1 = relay(redis, "relay-1");
                ServerProcess relay2 = relay(redis, "relay-2");
                ServerProcess signaling = ServerProcess.start(Files.createDirectories(dir.resolve("signaling")),
                        node("-Dparley.relay.enabled=false", "-Dparley.remote-relay.secret=" + API_SECRET,
                                "-Dparley.cluster.redis=" + redis.url(),
                                "-Dparley.cluster.relays.preferred-region=test",
                                "-Dparley.cluster.relays.max-endpoints-per-relay=2"))) {
            int port = signaling.port("http", "tcp");
            awaitRelays(port, 2);
            URI ws = URI.create("ws://127.0.0.1:" + port + "/ws");
            List<LinkedMember> members = new ArrayList<>();
            try {
                for (String name : List.of("alice", "bob", "carol", "dave")) {
                    LinkedMember m = new LinkedMember(name, member(ws, name, "laptop"), "roomId", ROOM);
                    members.add(m);
                    m.start();
                }
                LinkedMember alice = members.get(0);
                LinkedMember carol = members.get(2);
                LinkedMember dave = members.get(3);
                assertEquals(members.get(1).relayUdpPort(), alice.relayUdpPort(), "alice and bob share a relay");
                assertEquals(dave.relayUdpPort(), carol.relayUdpPort(), "carol and dave share a relay");
                assertNotEquals(alice.relayUdpPort(), carol.relayUdpPort(),
                        "the third member went to the second relay");
                Set<Integer> relayPorts = Set.of(relay1.port("relay", "udp"), relay2.port("relay", "udp"));
                assertTrue(relayPorts.contains(alice.relayUdpPort()) && relayPorts.contains(carol.relayUdpPort()));

                // media flows everywhere (each receiver has a keyframe of each camera), then a
                // numbered burst: every frame of every other member arrives at every member
                LinkedMember.everyoneGetsEveryone(members, FRAMES);

                // dave, on the other relay, NACKs one of alice's video packets: it is resent
                ReceivedPacket lost = dave.lastVideoFrom(alice);
                assertNotNull(lost);
                dave.rtx.clear();
                assertTrue(dave.media.sendNack(lost.ssrc(), lost.sequence()));
                ReceivedPacket rtx = dave.awaitRtx();
                assertEquals(lost.sequence(), ((rtx.payload()[0] & 0xff) << 8) | (rtx.payload()[1] & 0xff));
                byte[] original = java.util.Arrays.copyOfRange(rtx.payload(), 2, rtx.payload().length);
                assertArrayEquals(lost.payload(), original, "the resent packet is the one dave asked for");

                // dave's PLI crosses the link; alice's next frame is a keyframe and reaches dave
                int plis = alice.media.plisReceived();
                long deadline = System.nanoTime() + WAIT.toNanos();
                while (alice.media.plisReceived() <= plis) {
                    assertTrue(System.nanoTime() < deadline, "dave's PLI never reached alice");
                    // again every 100 ms: each relay forwards one request per layer per 300 ms
                    assertTrue(dave.media.sendPli(lost.ssrc()));
                    Thread.sleep(100);
                }
                dave.clear();
                alice.media.sendVideoFrame("alice after pli".getBytes(StandardCharsets.US_ASCII));
                dave.awaitKeyframeFrom(alice);

                // the linked relay (carol's and dave's) is killed while alice and bob keep sending:
                // only carol and dave move (to the first relay, the only one left); alice's and bob's
                // connections stay and they get every frame of each other's throughout
                LinkedMember bob = members.get(1);
                ServerProcess linked = relay1.port("relay", "udp") == carol.relayUdpPort() ? relay1 : relay2;
                int first = alice.relayUdpPort();
                java.util.concurrent.atomic.AtomicInteger sent = new java.util.concurrent.atomic.AtomicInteger();
                java.util.concurrent.atomic.AtomicBoolean sending = new java.util.concurrent.atomic.AtomicBoolean(true);
                Thread steady = new Thread(() -> {
                    while (sending.get()) {
                        alice.sendFrames(STEADY + sent.get());
                        bob.sendFrames(STEADY + sent.get());
                        sent.incrementAndGet();
                        try {
                            Thread.sleep(20);
                        } catch (InterruptedException e) {
                            return;
                        }
                    }
                }, "steady-sender");
                steady.start();
                try {
                    while (sent.get() < 25) {
                        Thread.sleep(20);
                    }
                    linked.close();
                    carol.awaitReset();
                    dave.awaitReset();
                    for (LinkedMember m : List.of(carol, dave)) {
                        for (LinkedMember from : members) {
                            if (m != from) {
                                m.awaitVideoFrom(from, members);
                            }
                        }
                    }
                    // the move is over; a little more, so that loss after it would show too
                    int after = sent.get() + 25;
                    while (sent.get() < after) {
                        Thread.sleep(20);
                    }
                } finally {
                    sending.set(false);
                    steady.join(5000);
                }
                for (LinkedMember[] pair : new LinkedMember[][] {{alice, bob}, {bob, alice}}) {
                    pair[0].awaitRange(pair[1], MediaKind.AUDIO, STEADY, STEADY + sent.get());
                    pair[0].awaitRange(pair[1], MediaKind.VIDEO, STEADY, STEADY + sent.get());
                    assertTrue(pair[0].resets.isEmpty(), pair[0].name + " was reset: " + pair[0].resets);
                    assertEquals(first, pair[0].relayUdpPort());
                }
                for (LinkedMember m : members) {
                    for (LinkedMember from : members) {
                        if (m != from) {
                            m.awaitVideoFrom(from, members);
                        }
                    }
                    assertEquals(first, m.relayUdpPort(), m.name + " is on the first relay now");
                    for (JsonNode reset : m.resets) {
                        assertEquals("relay_moved", reset.path("reason").asText(), reset.toString());
                    }
                }
                assertEquals(1, carol.resets.size(), "carol: " + carol.resets);
                assertEquals(1, dave.resets.size(), "dave: " + dave.resets);
                String metrics = get(port, "/metrics");
                assertTrue(metrics.contains("parley_relay_pool_moves_total{reason=\"linked_relay\"} 1.0"), metrics);
                assertTrue(metrics.contains("parley_relay_pool_endpoint_moves_total 2.0"), metrics);
                for (LinkedMember m : members) {
                    assertTrue(m.failure.get() == null, m.name + ": " + m.failure.get());
                }
            } finally {
                for (LinkedMember m : members) {
                    m.close();
                }
            }
        }
    }

    private static String get(int port, String path) throws Exception {
        return HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
                .build(), HttpResponse.BodyHandlers.ofString()).body();
    }

    private static void awaitRelays(int port, int n) throws Exception {
        long deadline = System.nanoTime() + WAIT.toNanos();
        while (!get(port, "/metrics").contains("\nparley_relay_pool_relays " + n + ".0")) {
            assertTrue(System.nanoTime() < deadline, "the pool never had " + n + " relays");
            Thread.sleep(100);
        }
    }
}
