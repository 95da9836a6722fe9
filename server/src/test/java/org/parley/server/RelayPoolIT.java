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
 * it and one signaling node placing a relay-mode call and a room on them. Carol and alice publish
 * real media (ICE, DTLS, SRTP) that dave (in the call) and bob (in the room) receive through the
 * relays. The room's relay first drains (SIGTERM): the room moves to the other relay and the drained
 * one exits once empty; both conferences are then on that one relay, which is killed outright
 * (SIGKILL): they move to a third relay. Each device gets {@code relay.reset} (reason
 * {@code relay_moved}) and sets its media up again; bob and dave receive again within 5 s of the
 * kill; nobody leaves the room and the call does not end.
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
                            "-Dparley.cluster.relays.preferred-region=test",
                            "-Dparley.signaling.calls.media=relay"))) {
                Map<Integer, ServerProcess> byUdpPort = new java.util.HashMap<>();
                for (ServerProcess r : relays) {
                    byUdpPort.put(r.port("relay", "udp"), r);
                }
                int port = signaling.port("http", "tcp");
                awaitRelays(port, 2);
                URI ws = URI.create("ws://127.0.0.1:" + port + "/ws");
                SignalingClient carolSignaling = signedIn(ws, "carol");
                SignalingClient daveSignaling = signedIn(ws, "dave");
                String callId = carolSignaling.request("call.invite", "to", "dave", "media", "audio")
                        .get("callId").asText();
                daveSignaling.awaitEvent("call.incoming");
                daveSignaling.request("call.accept", "callId", callId);
                carolSignaling.awaitEvent("call.accepted");
                try (Member carol = new Member(carolSignaling, "callId", callId, true);
                        Member dave = new Member(daveSignaling, "callId", callId, false);
                        Member alice = new Member(member(ws, "alice", "laptop"), "roomId", ROOM, true);
                        Member bob = new Member(member(ws, "bob", "phone"), "roomId", ROOM, false)) {
                    for (Member m : List.of(dave, carol, bob, alice)) {
                        m.start();
                    }
                    bob.awaitMedia(System.nanoTime(), WAIT);
                    dave.awaitMedia(System.nanoTime(), WAIT);

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
                    // the call was on either relay; now both conferences are on the one that is left
                    carol.awaitRelayPort(alice.relayUdpPort());
                    int callResetsBeforeKill = carol.resets.size();

                    // 2. A third relay joins; SIGKILL the room's relay: the room moves to the third
                    ServerProcess third = relay(redis, "relay-3");
                    relays.add(third);
                    int thirdUdp = third.port("relay", "udp");
                    awaitRelays(port, 2);
                    second.close();
                    long killedAt = System.nanoTime();
                    alice.awaitReset(2);
                    bob.awaitReset(2);
                    carol.awaitReset(callResetsBeforeKill + 1);
                    dave.awaitReset(callResetsBeforeKill + 1);
                    long afterKill = bob.awaitMedia(killedAt, WAIT);
                    long callAfterKill = dave.awaitMedia(killedAt, WAIT);
                    assertEquals(thirdUdp, alice.relayUdpPort(), "the room is on the third relay now");
                    assertEquals(thirdUdp, carol.relayUdpPort(), "the call is on the third relay now");
                    System.out.printf("relay pool: media back %d ms after SIGTERM, %d ms (room) and %d ms (call)"
                            + " after SIGKILL%n", afterDrain, afterKill, callAfterKill);
                    assertTrue(Math.max(afterKill, callAfterKill) <= MEDIA_BACK_WITHIN.toMillis(),
                            "media came back " + afterKill + " ms (room), " + callAfterKill
                            + " ms (call) after the relay was killed");

                    for (Member m : List.of(alice, bob, carol, dave)) {
                        for (JsonNode reset : m.resets) {
                            assertEquals(m.contextId, reset.path(m.contextField).asText(), reset.toString());
                            assertEquals("relay_moved", reset.path("reason").asText(), reset.toString());
                        }
                        assertTrue(m.left.isEmpty(), "nobody left the room or the call: " + m.left);
                        assertTrue(m.failure.get() == null, m.failure.get());
                    }
                    String metrics = get(port, "/metrics");
                    // the room moved off the draining relay, and the call too if it was there
                    assertTrue(metrics.matches("(?s).*parley_relay_pool_moves_total\\{reason=\"draining\"} [12]\\.0.*"),
                            metrics);
                    // the killed relay had both conferences
                    assertTrue(metrics.matches("(?s).*parley_relay_pool_moves_total\\{reason=\"(unreachable|expired)\"} 2\\.0.*"),
                            metrics);
                    assertTrue(metrics.contains("parley_relay_pool_move_duration_seconds_count 2"), metrics);
                    carol.signaling.request("call.hangup", "callId", callId);
                    alice.signaling.request("room.leave", "roomId", ROOM);
                    bob.signaling.request("room.leave", "roomId", ROOM);
                }
                assertEquals(0, signaling.terminate(WAIT), signaling.output());
            } finally {
                relays.forEach(ServerProcess::close);
            }
        }
    }

    private static SignalingClient signedIn(URI ws, String user) {
        SignalingClient c = SignalingClient.connect(ws, WAIT).timeout(WAIT);
        c.hello(RemoteRelayHangIT.token(user, ROOM), "laptop");
        return c;
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
        final String contextField;
        final String contextId;
        final boolean publishes;
        final List<JsonNode> resets = new CopyOnWriteArrayList<>();
        final List<JsonNode> left = new CopyOnWriteArrayList<>();
        final AtomicReference<String> failure = new AtomicReference<>();
        private volatile RelayTestClient media;
        private volatile String publisherAnswer = "";
        private volatile boolean running = true;
        private final Thread events = new Thread(this::handleEvents, "member-events");
        private final Thread sender = new Thread(this::sendAudio, "member-audio");

        /** @param contextField {@code roomId} or {@code callId}, with {@code contextId} naming it */
        Member(SignalingClient signaling, String contextField, String contextId, boolean publishes) throws Exception {
            this.signaling = signaling;
            this.contextField = contextField;
            this.contextId = contextId;
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
            JsonNode answer = signaling.request("relay.offer", contextField, contextId, "sdp", media.publisherOffer());
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
                    case "relay.offer" -> signaling.send("relay.answer", contextField, contextId, "sdp",
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
                    case "room.participant_left", "room.ended", "call.ended" -> left.add(e);
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

        /** Waits until the last publisher offer was answered by the relay on {@code udpPort}. */
        void awaitRelayPort(int udpPort) throws InterruptedException {
            long deadline = System.nanoTime() + WAIT.toNanos();
            while (publisherAnswer.isEmpty() || relayUdpPort() != udpPort) {
                assertTrue(System.nanoTime() < deadline, "never on the relay at " + udpPort + "; " + failure.get());
                Thread.sleep(20);
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
