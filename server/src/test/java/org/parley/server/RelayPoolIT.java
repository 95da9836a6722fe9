package org.parley.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.parley.server.RemoteRelayHangIT.member;
import static org.parley.server.RemoteRelayHangIT.node;

import com.fasterxml.jackson.databind.JsonNode;
import java.net.InetAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.parley.cluster.RedisServerProcess;
import org.parley.relay.client.RelayTestClient;
import org.parley.signaling.client.SignalingClient;

/**
 * Relays as a pool (docs/cluster.md "Relays"): a real redis-server, relay-only nodes registering in
 * it and one signaling node placing a room on them. Alice publishes real media (ICE, DTLS, SRTP)
 * that bob receives through the room's relay. That relay first drains (SIGTERM): the room moves to
 * the other relay and the drained one exits once empty. Then the room's relay is killed outright
 * (SIGKILL): the room moves to a third relay. Each time both members get {@code relay.reset}
 * (reason {@code relay_moved}), set their media up again, and bob receives alice again within 5 s
 * of the kill; nobody leaves the room.
 */
class RelayPoolIT {

    private static final String API_SECRET = "relay-api-secret-for-the-pool-test";
    private static final String ROOM = "standup";
    private static final Duration WAIT = Duration.ofSeconds(30);
    /** The issue's promise: media flows again within this long after a relay dies. */
    private static final Duration MEDIA_BACK_WITHIN = Duration.ofSeconds(5);

    @TempDir
    Path dir;

    private ServerProcess relay(RedisServerProcess redis, String name) throws Exception {
        return ServerProcess.start(Files.createDirectories(dir.resolve(name)), node("-Dparley.signaling.enabled=false",
                "-Dparley.relay.api-secret=" + API_SECRET, "-Dparley.cluster.redis=" + redis.url(),
                "-Dparley.relay.region=test"));
    }

    @Test
    void aRoomMovesOffADrainingRelayAndOffAKilledOne() throws Exception {
        try (RedisServerProcess redis = RedisServerProcess.start()) {
            List<ServerProcess> relays = new ArrayList<>(List.of(relay(redis, "relay-1"), relay(redis, "relay-2")));
            try (ServerProcess signaling = ServerProcess.start(Files.createDirectories(dir.resolve("signaling")),
                    node("-Dparley.relay.enabled=false", "-Dparley.remote-relay.secret=" + API_SECRET,
                            "-Dparley.remote-relay.watch-interval=1s", "-Dparley.cluster.redis=" + redis.url(),
                            "-Dparley.cluster.relays.preferred-region=test"))) {
                Map<Integer, ServerProcess> byUdpPort = new java.util.HashMap<>();
                for (ServerProcess r : relays) {
                    byUdpPort.put(r.port("relay", "udp"), r);
                }
                int port = signaling.port("http", "tcp");
                awaitRelays(port, 2);
                URI ws = URI.create("ws://127.0.0.1:" + port + "/ws");
                try (Member alice = new Member(member(ws, "alice", "laptop"), true);
                        Member bob = new Member(member(ws, "bob", "phone"), false)) {
                    bob.start();
                    alice.start();
                    bob.awaitMedia(System.nanoTime(), WAIT);

                    // 1. SIGTERM the room's relay: it drains, the room moves, the relay exits once empty
                    ServerProcess first = byUdpPort.get(alice.relayUdpPort());
                    first.signal("TERM");
                    long termAt = System.nanoTime();
                    alice.awaitReset(1);
                    bob.awaitReset(1);
                    long afterDrain = bob.awaitMedia(termAt, WAIT);
                    assertEquals(0, first.exitCode(WAIT), first.output());
                    ServerProcess second = byUdpPort.get(alice.relayUdpPort());
                    assertTrue(second != null && second != first, "the room moved to the other relay");

                    // 2. A third relay joins; SIGKILL the room's relay: the room moves to the third
                    ServerProcess third = relay(redis, "relay-3");
                    relays.add(third);
                    int thirdUdp = third.port("relay", "udp");
                    awaitRelays(port, 2);
                    second.close();
                    long killedAt = System.nanoTime();
                    alice.awaitReset(2);
                    bob.awaitReset(2);
                    long afterKill = bob.awaitMedia(killedAt, WAIT);
                    assertEquals(thirdUdp, alice.relayUdpPort(), "the room is on the third relay now");
                    System.out.printf("relay pool: media back %d ms after SIGTERM, %d ms after SIGKILL%n",
                            afterDrain, afterKill);
                    assertTrue(afterKill <= MEDIA_BACK_WITHIN.toMillis(),
                            "bob received alice again " + afterKill + " ms after the relay was killed");

                    for (Member m : List.of(alice, bob)) {
                        for (JsonNode reset : m.resets) {
                            assertEquals(ROOM, reset.path("roomId").asText(), reset.toString());
                            assertEquals("relay_moved", reset.path("reason").asText(), reset.toString());
                        }
                        assertTrue(m.left.isEmpty(), "nobody left the room: " + m.left);
                        assertTrue(m.failure.get() == null, m.failure.get());
                    }
                    String metrics = get(port, "/metrics");
                    assertTrue(metrics.contains("parley_relay_pool_moves_total{reason=\"draining\"} 1.0"), metrics);
                    assertTrue(metrics.matches("(?s).*parley_relay_pool_moves_total\\{reason=\"(unreachable|expired)\"} 1\\.0.*"),
                            metrics);
                    assertTrue(metrics.contains("parley_relay_pool_move_duration_seconds_count 2"), metrics);
                    alice.signaling.request("room.leave", "roomId", ROOM);
                    bob.signaling.request("room.leave", "roomId", ROOM);
                }
                assertEquals(0, signaling.terminate(WAIT), signaling.output());
            } finally {
                relays.forEach(ServerProcess::close);
            }
        }
    }

    private static String get(int port, String path) throws Exception {
        return HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
                .build(), HttpResponse.BodyHandlers.ofString()).body();
    }

    /** Waits until the signaling node's last pool check saw {@code n} relays. */
    private static void awaitRelays(int port, int n) throws Exception {
        long deadline = System.nanoTime() + WAIT.toNanos();
        while (!get(port, "/metrics").contains("\nparley_relay_pool_relays " + n + ".0")) {
            assertTrue(System.nanoTime() < deadline, "the pool never had " + n + " relays");
            Thread.sleep(100);
        }
    }

    /**
     * A room member as a browser behaves: it answers the relay's subscriber offers and, on
     * {@code relay.reset}, drops both peer connections and sets up new ones. A publisher sends
     * microphone packets every 20 ms.
     */
    private static final class Member implements AutoCloseable {

        final SignalingClient signaling;
        final boolean publishes;
        final List<JsonNode> resets = new CopyOnWriteArrayList<>();
        final List<JsonNode> left = new CopyOnWriteArrayList<>();
        final AtomicReference<String> failure = new AtomicReference<>();
        private volatile RelayTestClient media;
        private volatile String publisherAnswer = "";
        private volatile boolean running = true;
        private final Thread events = new Thread(this::handleEvents, "member-events");
        private final Thread sender = new Thread(this::sendAudio, "member-audio");

        Member(SignalingClient signaling, boolean publishes) throws Exception {
            this.signaling = signaling;
            this.publishes = publishes;
            this.media = new RelayTestClient(publishes ? "alice" : "bob", InetAddress.getLoopbackAddress());
        }

        void start() {
            events.start();
            if (publishes) {
                publish();
                sender.start();
            }
        }

        private void publish() {
            JsonNode answer = signaling.request("relay.offer", "roomId", ROOM, "sdp", media.publisherOffer());
            publisherAnswer = answer.path("sdp").asText();
            media.acceptPublisherAnswer(publisherAnswer);
        }

        /** The UDP port of the relay that answered the last publisher offer. */
        int relayUdpPort() {
            java.util.regex.Matcher m = java.util.regex.Pattern.compile(" 127\\.0\\.0\\.1 (\\d+) typ host")
                    .matcher(publisherAnswer);
            assertTrue(m.find(), publisherAnswer);
            return Integer.parseInt(m.group(1));
        }

        private void handleEvents() {
            while (running) {
                signaling.quietOrTakeInto(Duration.ofMillis(100), this::handle);
            }
        }

        private void handle(JsonNode e) {
            try {
                switch (e.path("type").asText()) {
                    case "relay.offer" -> signaling.send("relay.answer", "roomId", ROOM, "sdp",
                            media.answerSubscriberOffer(e.path("sdp").asText()));
                    case "relay.reset" -> {
                        RelayTestClient old = media;
                        media = new RelayTestClient(old.name(), InetAddress.getLoopbackAddress());
                        old.close();
                        resets.add(e);
                        if (publishes) {
                            publish();
                        }
                    }
                    case "room.participant_left", "room.ended" -> left.add(e);
                    default -> {
                    }
                }
            } catch (Exception x) {
                failure.compareAndSet(null, e.path("type").asText() + ": " + x);
            }
        }

        private void sendAudio() {
            byte[] audio = new byte[120];
            while (running) {
                RelayTestClient m = media;
                if (m.isPublisherConnected()) {
                    m.sendAudio(audio, 30);
                }
                try {
                    Thread.sleep(20);
                } catch (InterruptedException e) {
                    return;
                }
            }
        }

        void awaitReset(int n) throws InterruptedException {
            long deadline = System.nanoTime() + WAIT.toNanos();
            while (resets.size() < n) {
                assertTrue(System.nanoTime() < deadline, "no relay.reset #" + n + "; " + failure.get());
                Thread.sleep(20);
            }
        }

        /** Waits for a packet on the current subscriber connection; returns ms since {@code since}. */
        long awaitMedia(long since, Duration timeout) throws InterruptedException {
            long deadline = System.nanoTime() + timeout.toNanos();
            while (media.poll(20) == null) {
                assertTrue(System.nanoTime() < deadline, "no media received; " + failure.get());
            }
            return (System.nanoTime() - since) / 1_000_000;
        }

        @Override
        public void close() throws InterruptedException {
            running = false;
            sender.interrupt();
            sender.join(5000);
            events.join(5000);
            media.close();
            signaling.close();
        }
    }
}
