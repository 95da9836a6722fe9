package org.parley.server;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.parley.server.RemoteRelayHangIT.member;
import static org.parley.server.RemoteRelayHangIT.node;

import com.fasterxml.jackson.databind.JsonNode;
import java.net.InetAddress;
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
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.parley.cluster.RedisServerProcess;
import org.parley.relay.client.MediaKind;
import org.parley.relay.client.ReceivedPacket;
import org.parley.relay.client.RelayTestClient;
import org.parley.signaling.client.SignalingClient;

/**
 * Cascading (docs/cluster.md "Cascading"): a real redis-server, two relay-only nodes and one
 * signaling node that puts at most two endpoints of a conference on one relay. Four members of a
 * room publish real media (ICE, DTLS, SRTP): alice and bob land on one relay, carol and dave on
 * the other, linked by the signaling node through both relays' control APIs. Every member gets
 * every other member's audio and video frames, intact and none missing, across the link or not;
 * dave's NACK for a packet of alice's video is answered, and his PLI crosses the link to alice,
 * whose next frame, a keyframe, reaches him. Then the linked relay is killed: every member gets
 * {@code relay.reset} and, the room set up again on its first relay, everyone's media.
 */
class CascadeIT {

    private static final String API_SECRET = "relay-api-secret-for-the-cascade-test";
    private static final String ROOM = "standup";
    private static final Duration WAIT = Duration.ofSeconds(30);
    private static final int FRAMES = 30;

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
            List<Member> members = new ArrayList<>();
            try {
                for (String name : List.of("alice", "bob", "carol", "dave")) {
                    Member m = new Member(name, member(ws, name, "laptop"));
                    members.add(m);
                    m.start();
                }
                Member alice = members.get(0);
                Member carol = members.get(2);
                Member dave = members.get(3);
                assertEquals(members.get(1).relayUdpPort(), alice.relayUdpPort(), "alice and bob share a relay");
                assertEquals(dave.relayUdpPort(), carol.relayUdpPort(), "carol and dave share a relay");
                assertNotEquals(alice.relayUdpPort(), carol.relayUdpPort(),
                        "the third member went to the second relay");
                Set<Integer> relayPorts = Set.of(relay1.port("relay", "udp"), relay2.port("relay", "udp"));
                assertTrue(relayPorts.contains(alice.relayUdpPort()) && relayPorts.contains(carol.relayUdpPort()));

                // media flows everywhere (each receiver has a keyframe of each camera), then a
                // numbered burst: every frame of every other member arrives at every member
                for (Member m : members) {
                    for (Member from : members) {
                        if (m != from) {
                            m.awaitVideoFrom(from, members);
                        }
                    }
                }
                for (Member m : members) {
                    m.clear();
                }
                for (int i = 0; i < FRAMES; i++) {
                    for (Member m : members) {
                        m.sendFrames(i);
                    }
                    Thread.sleep(20);
                }
                for (Member m : members) {
                    for (Member from : members) {
                        if (m != from) {
                            m.awaitAll(from, MediaKind.AUDIO);
                            m.awaitAll(from, MediaKind.VIDEO);
                        }
                    }
                }

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

                // the linked relay (carol's and dave's) is killed: the room starts over from its
                // first relay, every member is reset and gets everyone's media again
                ServerProcess linked = relay1.port("relay", "udp") == carol.relayUdpPort() ? relay1 : relay2;
                int first = alice.relayUdpPort();
                linked.close();
                for (Member m : members) {
                    m.awaitReset();
                }
                for (Member m : members) {
                    for (Member from : members) {
                        if (m != from) {
                            m.awaitVideoFrom(from, members);
                        }
                    }
                    assertEquals(first, m.relayUdpPort(), m.name + " is on the first relay now");
                    for (JsonNode reset : m.resets) {
                        assertEquals("relay_moved", reset.path("reason").asText(), reset.toString());
                    }
                }
                for (Member m : members) {
                    assertTrue(m.failure.get() == null, m.name + ": " + m.failure.get());
                }
            } finally {
                for (Member m : members) {
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

    /**
     * A room member: answers the relay's subscriber offers, publishes audio and video frames that
     * name it and their number, and sorts what it receives by sender (the payload names it).
     */
    private static final class Member implements AutoCloseable {

        final String name;
        final SignalingClient signaling;
        volatile RelayTestClient media;
        final List<JsonNode> resets = new CopyOnWriteArrayList<>();
        final AtomicReference<String> failure = new AtomicReference<>();
        final List<ReceivedPacket> rtx = new CopyOnWriteArrayList<>();
        /** "sender kind" -> frame numbers received, and the last video packet per sender. */
        private final Map<String, Set<Integer>> received = new ConcurrentHashMap<>();
        private final Map<String, ReceivedPacket> lastVideo = new ConcurrentHashMap<>();
        private final Map<String, Boolean> keyframeAfterPli = new ConcurrentHashMap<>();
        private volatile String publisherAnswer = "";
        private volatile boolean running = true;
        private final Thread events = new Thread(this::handleEvents, "member-events");
        private final Thread receiver = new Thread(this::receive, "member-receive");

        Member(String name, SignalingClient signaling) throws Exception {
            this.name = name;
            this.signaling = signaling;
            this.media = new RelayTestClient(name, InetAddress.getLoopbackAddress());
        }

        void start() throws InterruptedException {
            events.start();
            receiver.start();
            publish();
            long deadline = System.nanoTime() + WAIT.toNanos();
            while (!media.isPublisherConnected()) {
                assertTrue(System.nanoTime() < deadline, name + " never connected its publisher connection");
                Thread.sleep(20);
            }
        }

        private void publish() {
            JsonNode answer = signaling.request("relay.offer", "roomId", ROOM, "sdp", media.publisherOffer());
            publisherAnswer = answer.path("sdp").asText();
            media.acceptPublisherAnswer(publisherAnswer);
        }

        void awaitReset() throws InterruptedException {
            long deadline = System.nanoTime() + WAIT.toNanos();
            while (resets.isEmpty()) {
                assertTrue(System.nanoTime() < deadline, name + " got no relay.reset; " + failure.get());
                Thread.sleep(20);
            }
        }

        int relayUdpPort() {
            java.util.regex.Matcher m = java.util.regex.Pattern.compile(" 127\\.0\\.0\\.1 (\\d+) typ host")
                    .matcher(publisherAnswer);
            assertTrue(m.find(), publisherAnswer);
            return Integer.parseInt(m.group(1));
        }

        void sendFrames(int i) {
            media.sendAudio((name + " audio " + i).getBytes(StandardCharsets.US_ASCII), 30);
            media.sendVideoFrame((name + " video " + i).getBytes(StandardCharsets.US_ASCII));
        }

        void clear() {
            received.clear();
            lastVideo.clear();
            keyframeAfterPli.clear();
        }

        /** Sends warm-up frames from everyone until one of {@code from}'s video frames arrives here. */
        void awaitVideoFrom(Member from, List<Member> all) throws InterruptedException {
            long deadline = System.nanoTime() + WAIT.toNanos();
            while (!lastVideo.containsKey(from.name)) {
                assertTrue(System.nanoTime() < deadline, name + " never got video of " + from.name + " (on relay "
                        + from.relayUdpPort() + ", " + name + " on " + relayUdpPort() + "); " + failure.get());
                for (Member m : all) {
                    m.media.sendVideoFrame((m.name + " video warm-up").getBytes(StandardCharsets.US_ASCII));
                }
                Thread.sleep(50);
            }
        }

        void awaitAll(Member from, MediaKind kind) throws InterruptedException {
            String key = from.name + " " + kind.name().toLowerCase(java.util.Locale.ROOT);
            long deadline = System.nanoTime() + WAIT.toNanos();
            while (received.getOrDefault(key, Set.of()).size() < FRAMES) {
                assertTrue(System.nanoTime() < deadline, name + " got " + received.getOrDefault(key, Set.of()).size()
                        + " of " + FRAMES + " frames of " + key + ": " + received.get(key));
                Thread.sleep(20);
            }
        }

        ReceivedPacket lastVideoFrom(Member from) {
            return lastVideo.get(from.name);
        }

        ReceivedPacket awaitRtx() throws InterruptedException {
            long deadline = System.nanoTime() + WAIT.toNanos();
            while (rtx.isEmpty()) {
                assertTrue(System.nanoTime() < deadline, name + ": the NACKed packet was not resent");
                Thread.sleep(20);
            }
            return rtx.get(0);
        }

        void awaitKeyframeFrom(Member from) throws InterruptedException {
            long deadline = System.nanoTime() + WAIT.toNanos();
            while (!keyframeAfterPli.containsKey(from.name)) {
                assertTrue(System.nanoTime() < deadline, name + " got no keyframe of " + from.name);
                Thread.sleep(20);
            }
        }

        private void receive() {
            while (running) {
                try {
                    ReceivedPacket p = media.poll(100);
                    if (p != null) {
                        sort(p);
                    }
                } catch (InterruptedException e) {
                    return;
                } catch (RuntimeException e) {
                    failure.compareAndSet(null, "receive: " + e);
                }
            }
        }

        private void sort(ReceivedPacket p) {
            if (p.kind() == null) {
                rtx.add(p);
                return;
            }
            byte[] frame = p.frame();
            // a VP8 frame starts with its frame tag (RFC 6386 section 9.1), bit 0 clear on a keyframe
            int from = p.kind() == MediaKind.VIDEO ? 1 : 0;
            String text = new String(frame, from, frame.length - from, StandardCharsets.US_ASCII);
            String[] words = text.split(" ");
            if (words.length != 3) {
                return;
            }
            if (p.kind() == MediaKind.VIDEO) {
                lastVideo.put(words[0], p);
                if ((frame[0] & 1) == 0 && "after".equals(words[1])) {
                    keyframeAfterPli.put(words[0], true);
                }
            }
            try {
                int n = Integer.parseInt(words[2]);
                received.computeIfAbsent(words[0] + " " + words[1], k -> ConcurrentHashMap.newKeySet()).add(n);
            } catch (NumberFormatException ignored) {
                // warm-up and other frames without a number
            }
        }

        private void handleEvents() {
            while (running) {
                signaling.quietOrTakeInto(Duration.ofMillis(100), e -> {
                    try {
                        if ("relay.offer".equals(e.path("type").asText())) {
                            signaling.send("relay.answer", "roomId", ROOM, "sdp",
                                    media.answerSubscriberOffer(e.path("sdp").asText()));
                        } else if ("relay.reset".equals(e.path("type").asText())) {
                            // as a browser does: both relay connections set up afresh
                            RelayTestClient old = media;
                            media = new RelayTestClient(name, InetAddress.getLoopbackAddress());
                            old.close();
                            clear();
                            resets.add(e);
                            publish();
                        }
                    } catch (java.io.IOException | RuntimeException x) {
                        failure.compareAndSet(null, e.path("type").asText() + ": " + x);
                    }
                });
            }
        }

        @Override
        public void close() throws InterruptedException {
            running = false;
            events.join(5000);
            receiver.join(5000);
            media.close();
            signaling.close();
        }
    }
}
