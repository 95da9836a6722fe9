package org.parley.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.parley.signaling.auth.TokenIssuer;
import org.parley.signaling.client.SignalingClient;
import org.parley.signaling.client.SignalingException;

/**
 * A remote relay that hangs (its process stopped with SIGSTOP: the kernel still accepts TCP
 * connections, nobody answers) stalls only the request that needs it. Another session's requests
 * are answered at once; the waiting request gets relay_unavailable after the configured request
 * timeout; the waiting session's own later requests and events keep their order; /health says
 * the relay is unreachable, and up again once it runs.
 */
class RemoteRelayHangIT {

    private static final String SECRET = "remote-relay-test-secret-of-32-chars!";
    private static final String API_SECRET = "relay-api-secret-for-the-test";
    private static final Duration WAIT = Duration.ofSeconds(30);
    /** The relay request timeout the signaling node runs with. */
    private static final Duration RELAY_TIMEOUT = Duration.ofSeconds(4);
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path dir;

    static List<String> node(String... settings) {
        List<String> jvm = new ArrayList<>(ServerProcess.loopbackFreePorts());
        jvm.add("-Dparley.auth.secret=" + SECRET);
        jvm.add("-Dparley.turn.enabled=false");
        jvm.addAll(List.of(settings));
        return jvm;
    }

    static String token(String user, String room) {
        return new TokenIssuer(SECRET.getBytes(StandardCharsets.UTF_8), Clock.systemUTC())
                .issue(user, Optional.empty(), Optional.of(room), Optional.empty(), Duration.ofMinutes(5));
    }

    /** A client signed in as {@code user} that has joined room "standup". */
    static SignalingClient member(URI ws, String user, String device) {
        SignalingClient c = SignalingClient.connect(ws, WAIT).timeout(WAIT);
        c.hello(token(user, "standup"), device);
        c.request("room.join", "roomId", "standup");
        return c;
    }

    static String chromeOffer() throws Exception {
        try (InputStream in = RemoteRelayHangIT.class.getResourceAsStream("/sdp/chrome-publisher-offer.sdp")) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
    }

    static String remoteRelayHealth(int port) throws Exception {
        HttpResponse<String> r = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
                URI.create("http://127.0.0.1:" + port + "/health")).build(), HttpResponse.BodyHandlers.ofString());
        return JSON.readTree(r.body()).path("parts").path("remote-relay").asText("absent");
    }

    static void awaitHealth(int port, String state) throws Exception {
        long deadline = System.nanoTime() + WAIT.toNanos();
        String last = remoteRelayHealth(port);
        while (!last.equals(state)) {
            assertTrue(System.nanoTime() < deadline, "/health remote-relay is " + last + ", not " + state);
            Thread.sleep(100);
            last = remoteRelayHealth(port);
        }
    }

    /** Waits until signaling has taken up a request of {@code type} (its message counter moved). */
    static void awaitDispatched(int port, String type) throws Exception {
        long deadline = System.nanoTime() + WAIT.toNanos();
        while (true) {
            String metrics = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
                    URI.create("http://127.0.0.1:" + port + "/metrics")).build(),
                    HttpResponse.BodyHandlers.ofString()).body();
            for (String line : metrics.split("\n")) {
                if (line.startsWith("parley_signaling_messages_total{") && line.contains("type=\"" + type + "\"")
                        && Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1)) >= 1) {
                    return;
                }
            }
            assertTrue(System.nanoTime() < deadline, "signaling never took up " + type);
            Thread.sleep(20);
        }
    }

    @Test
    void aHungRelayDelaysOnlyTheRequestThatNeedsIt() throws Exception {
        Path relayDir = Files.createDirectories(dir.resolve("relay"));
        Path signalingDir = Files.createDirectories(dir.resolve("signaling"));
        try (ServerProcess relay = ServerProcess.start(relayDir,
                node("-Dparley.signaling.enabled=false", "-Dparley.relay.api-secret=" + API_SECRET))) {
            int relayHttp = relay.port("http", "tcp");
            try (ServerProcess signaling = ServerProcess.start(signalingDir, node("-Dparley.relay.enabled=false",
                    "-Dparley.remote-relay.url=http://127.0.0.1:" + relayHttp,
                    "-Dparley.remote-relay.secret=" + API_SECRET,
                    "-Dparley.remote-relay.request-timeout=" + RELAY_TIMEOUT.toSeconds() + "s",
                    "-Dparley.remote-relay.watch-interval=1s"))) {
                int port = signaling.port("http", "tcp");
                URI ws = URI.create("ws://127.0.0.1:" + port + "/ws");
                try (SignalingClient alice = member(ws, "alice", "laptop");
                        SignalingClient bob = member(ws, "bob", "phone")) {
                    alice.expectEvent("room.participant_joined");
                    awaitHealth(port, "up");

                    relay.signal("STOP");
                    AtomicLong seqAtOfferReply = new AtomicLong(-1);
                    AtomicLong seqAtPingReply = new AtomicLong(-1);
                    long sent = System.nanoTime();
                    CompletableFuture<JsonNode> offer = alice.send("relay.offer", "roomId", "standup",
                            "sdp", chromeOffer());
                    offer.whenComplete((r, e) -> seqAtOfferReply.set(alice.lastSeq()));
                    awaitDispatched(port, "relay.offer");
                    // alice's next request waits behind her relay request
                    CompletableFuture<JsonNode> alicePing = alice.send("ping");
                    alicePing.whenComplete((r, e) -> seqAtPingReply.set(alice.lastSeq()));

                    // bob needs no relay: answered at once, while alice still waits for the relay
                    bob.request("ping");
                    bob.request("room.media", "roomId", "standup", "audio", true);
                    assertFalse(offer.isDone(), "bob was answered before alice's relay request timed out");

                    ExecutionException failed = org.junit.jupiter.api.Assertions.assertThrows(ExecutionException.class,
                            () -> offer.get(WAIT.toMillis(), TimeUnit.MILLISECONDS));
                    long waited = System.nanoTime() - sent;
                    assertEquals("relay_unavailable", ((SignalingException) failed.getCause()).code());
                    assertTrue(waited >= RELAY_TIMEOUT.minusMillis(500).toNanos(),
                            "the relay request failed after the relay timeout, not before: " + waited / 1_000_000 + " ms");
                    alicePing.get(WAIT.toMillis(), TimeUnit.MILLISECONDS);

                    // alice's order: her relay request's error, then the event bob caused meanwhile,
                    // then the reply to the ping she sent after the relay request
                    JsonNode updated = alice.awaitEvent("room.participant_updated");
                    assertTrue(updated.path("participant").path("audio").asBoolean(), updated.toString());
                    long seq = updated.get("seq").asLong();
                    assertTrue(seq > seqAtOfferReply.get(), "the event came after the reply: " + seq + " > "
                            + seqAtOfferReply.get());
                    assertTrue(seq <= seqAtPingReply.get(), "the event came before the reply to the later ping: "
                            + seq + " <= " + seqAtPingReply.get());

                    awaitHealth(port, "unreachable");
                    relay.signal("CONT");
                    awaitHealth(port, "up");
                    alice.request("room.leave", "roomId", "standup");
                    bob.request("room.leave", "roomId", "standup");
                }
                assertEquals(0, signaling.terminate(WAIT), signaling.output());
            }
            assertEquals(0, relay.terminate(WAIT), relay.output());
        }
    }
}
