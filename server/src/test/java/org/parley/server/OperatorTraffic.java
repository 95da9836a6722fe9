package org.parley.server;

import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.net.InetAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicReference;
import org.parley.relay.client.RelayTestClient;
import org.parley.signaling.auth.TokenIssuer;
import org.parley.signaling.client.SignalingClient;
import org.parley.signaling.client.SignalingException;

/**
 * What a day on a Parley server brings, in small: two users sign in over WSS (one sends a
 * message the server does not know), place and hang up a one-to-one call, meet in a room where
 * alice's microphone and camera go through the relay to bob (real ICE, DTLS and SRTP), and a TURN
 * client relays through the embedded TURN server with the credentials welcome handed out. Media
 * flows until {@link #close()}, so a scraper sees it move.
 */
final class OperatorTraffic implements AutoCloseable {

    static final String SECRET = "observability-test-secret-of-32-chars";
    static final String ROOM = "standup";
    private static final Duration WAIT = Duration.ofSeconds(30);

    /** Settings the traffic needs: the shared secret, HTTPS, and TURN allowed to relay to loopback peers. */
    static List<String> settings(ServedHttps https) {
        List<String> settings = new ArrayList<>(List.of("-Dparley.auth.secret=" + SECRET,
                "-Dparley.turn.allow-loopback-peers=true"));
        settings.addAll(https.settings());
        return settings;
    }

    private final SignalingClient alice;
    private final SignalingClient bob;
    private final RelayTestClient aliceMedia;
    private final RelayTestClient bobMedia;
    private final Thread sender;
    private final Thread bobEvents;
    private final AtomicReference<String> failure = new AtomicReference<>();
    private volatile boolean running = true;

    private OperatorTraffic(SignalingClient alice, SignalingClient bob, RelayTestClient aliceMedia,
            RelayTestClient bobMedia) {
        this.alice = alice;
        this.bob = bob;
        this.aliceMedia = aliceMedia;
        this.bobMedia = bobMedia;
        this.sender = new Thread(this::send, "traffic-alice-media");
        this.bobEvents = new Thread(this::answerRelayOffers, "traffic-bob-events");
    }

    /**
     * Over WSS: runs the call, the room with media (until bob receives it) and the TURN relay;
     * returns with media flowing.
     */
    static OperatorTraffic start(ServerProcess server, Path dir, ServedHttps https) throws Exception {
        URI wss = URI.create("wss://127.0.0.1:" + server.port("http", "tls") + "/ws");
        SignalingClient alice = SignalingClient.connect(https.client(), wss, WAIT);
        SignalingClient bob = SignalingClient.connect(https.client(), wss, WAIT);
        JsonNode welcome = alice.hello(token("alice"), "laptop");
        bob.hello(token("bob"), "laptop");
        // A message the server does not know: an error by code, as a client with a bug causes.
        alice.sendRaw("{\"type\":\"no.such\",\"id\":1}");
        alice.awaitEvent("error");

        String callId = alice.request("call.invite", "to", "bob", "media", "audio").get("callId").asText();
        bob.awaitEvent("call.incoming");
        bob.request("call.accept", "callId", callId);
        alice.awaitEvent("call.accepted");
        bob.request("call.connected", "callId", callId);
        alice.request("call.hangup", "callId", callId);
        bob.awaitEvent("call.ended");

        InetAddress loopback = InetAddress.getLoopbackAddress();
        OperatorTraffic traffic = new OperatorTraffic(alice, bob, new RelayTestClient("alice", loopback),
                new RelayTestClient("bob", loopback));
        try {
            traffic.joinRoomWithMedia();
            relayThroughTurn(server, dir, welcome);
        } catch (Exception | AssertionError e) {
            traffic.close();
            throw e;
        }
        return traffic;
    }

    private static String token(String user) {
        return new TokenIssuer(SECRET.getBytes(StandardCharsets.UTF_8), Clock.systemUTC())
                .issue(user, Optional.empty(), Optional.of(ROOM), Optional.empty(), Duration.ofMinutes(10));
    }

    private void joinRoomWithMedia() throws InterruptedException {
        alice.request("room.join", "roomId", ROOM);
        bob.request("room.join", "roomId", ROOM);
        bobEvents.start();
        JsonNode answer = alice.request("relay.offer", "roomId", ROOM, "sdp", aliceMedia.publisherOffer());
        aliceMedia.acceptPublisherAnswer(answer.path("sdp").asText());
        sender.start();
        long deadline = System.nanoTime() + WAIT.toNanos();
        while (bobMedia.poll(100) == null) {
            assertTrue(System.nanoTime() < deadline, "bob received no media from alice through the relay; "
                    + Optional.ofNullable(failure.get()).orElse(""));
        }
    }

    /** Alice's microphone (every 20 ms) and camera (a frame every 40 ms), and bob's receiver reports. */
    private void send() {
        byte[] audio = new byte[120];
        byte[] video = new byte[1000];
        long tick = 0;
        while (running) {
            try {
                if (aliceMedia.isPublisherConnected()) {
                    aliceMedia.sendAudio(audio, 30);
                    if (tick % 2 == 0) {
                        aliceMedia.sendVideoFrame(video);
                    }
                    if (tick % 50 == 0) {
                        aliceMedia.requestKeyframe();
                        bobMedia.sendReceiverReport();
                    }
                }
                tick++;
                Thread.sleep(20);
            } catch (InterruptedException e) {
                return;
            } catch (RuntimeException e) {
                failure.compareAndSet(null, "sending: " + e);
            }
        }
    }

    /** Bob answers each subscriber offer the relay sends him, as a browser does. */
    private void answerRelayOffers() {
        while (running) {
            JsonNode e;
            try {
                e = bob.nextEvent(Duration.ofMillis(100));
            } catch (SignalingException timeout) {
                continue;
            }
            if ("relay.offer".equals(e.path("type").asText())) {
                try {
                    String answer = bobMedia.answerSubscriberOffer(e.path("sdp").asText());
                    bob.send("relay.answer", "roomId", ROOM, "sdp", answer);
                } catch (RuntimeException x) {
                    failure.compareAndSet(null, "answering the relay: " + x);
                }
            }
        }
    }

    /** coturn's client relays through the embedded TURN server with the credentials from welcome. */
    private static void relayThroughTurn(ServerProcess server, Path dir, JsonNode welcome) throws Exception {
        JsonNode turn = null;
        for (JsonNode s : welcome.get("iceServers")) {
            if (s.has("credential")) {
                turn = s;
            }
        }
        assertTrue(turn != null, "welcome lists a TURN server: " + welcome);
        CoturnClient.Run run = CoturnClient.echo(dir, server.port("turn", "udp"), "127.0.0.1",
                "-u", turn.get("username").asText(), "-w", turn.get("credential").asText());
        assertTrue(run.received() >= 10, run.output());
    }

    @Override
    public void close() throws InterruptedException {
        running = false;
        sender.interrupt();
        sender.join(5000);
        bobEvents.join(5000);
        aliceMedia.close();
        bobMedia.close();
        alice.close();
        bob.close();
    }
}
