package org.parley.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.net.InetAddress;
import java.time.Duration;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.parley.relay.client.RelayTestClient;
import org.parley.signaling.client.SignalingClient;
import org.parley.signaling.client.SignalingException;

/**
 * One device of a relay-mode call or of a room in a server IT: its media through the relay (kept across a change
 * of signaling connection, as a browser keeps its peer connections), and its events read meanwhile.
 */
final class CallParty implements AutoCloseable {

    private volatile SignalingClient client;
    /** {@code callId} or {@code roomId}: what the device's relay requests name. */
    private final String field;
    private final String callId;
    private final RelayTestClient media;
    private final BlockingQueue<JsonNode> events = new LinkedBlockingQueue<>();
    /** The SSRCs the relay's subscriber offers named, by the publisher (msid stream) they carry. */
    private final java.util.Map<String, java.util.Set<Long>> offeredSsrcs = new java.util.concurrent.ConcurrentHashMap<>();
    private static final java.util.regex.Pattern SSRC_MSID = java.util.regex.Pattern.compile(
            "a=ssrc:(\\d+) msid:(\\S+) ");
    final AtomicReference<String> failure = new AtomicReference<>();
    private Thread reader;
    private final Thread sender;
    private volatile boolean reading = true;
    private volatile boolean running = true;
    private final Duration wait;

    CallParty(SignalingClient client, String callId, Duration wait) throws Exception {
        this(client, "callId", callId, wait);
    }

    /** A device of the call ({@code field} "callId") or room ("roomId") {@code id}. */
    CallParty(SignalingClient client, String field, String callId, Duration wait) throws Exception {
        this.field = field;
        this.wait = wait;
        this.client = client;
        this.callId = callId;
        this.media = new RelayTestClient(client.sessionId(), InetAddress.getLoopbackAddress());
        this.reader = new Thread(this::read, "call-party-events");
        this.sender = new Thread(this::send, "call-party-media");
    }

    /** {@code caller} places an audio call to {@code calleeUser}, whose device {@code callee} is rung and accepts it. */
    static String placeAcceptedAudioCall(SignalingClient caller, String calleeUser, SignalingClient callee) {
        String callId = caller.request("call.invite", "to", calleeUser, "media", "audio").get("callId").asText();
        assertEquals(callId, callee.awaitEvent("call.incoming").get("callId").asText());
        callee.request("call.accept", "callId", callId);
        caller.awaitEvent("call.accepted");
        return callId;
    }

    /** Both parties publish, then each waits for the other's audio. */
    static void publishBoth(CallParty one, CallParty other) throws InterruptedException {
        one.publish();
        other.publish();
        awaitMediaBothWays(one, other);
    }

    /** Each of the two waits for the other's audio, received from now on. */
    static void awaitMediaBothWays(CallParty one, CallParty other) throws InterruptedException {
        one.awaitMedia(one.wait);
        other.awaitMedia(other.wait);
    }

    /** {@code other} hangs the call up; this party is told the call ended by a hang-up. */
    void awaitHangupBy(SignalingClient other) throws InterruptedException {
        other.request("call.hangup", "callId", callId);
        JsonNode ended = event("call.ended");
        assertEquals("hangup", ended.get("reason").asText(), ended.toString());
    }

    void publish() {
        JsonNode answer = client.request("relay.offer", field, callId, "sdp", media.publisherOffer());
        media.acceptPublisherAnswer(answer.path("sdp").asText());
        reader.start();
        sender.start();
    }

    /** Stops reading the dead connection; returns the last seq it saw. */
    long stop() throws InterruptedException {
        reading = false;
        reader.join(5000);
        return client.lastSeq();
    }

    /** Reads events from {@code next} from now on. */
    void resumeOn(SignalingClient next) {
        client = next;
        reading = true;
        reader = new Thread(this::read, "call-party-events");
        reader.start();
    }

    /** Waits for the other party's audio, received from now on. */
    void awaitMedia(Duration wait) throws InterruptedException {
        while (media.poll(0) != null) {
            // what arrived before: not proof that media flows now
        }
        long deadline = System.nanoTime() + wait.toNanos();
        while (media.poll(100) == null) {
            assertTrue(System.nanoTime() < deadline, "no media received; " + failure.get());
        }
    }

    /**
     * Waits for media of {@code publisher} (its participant id): a subscriber offer naming its
     * stream, answered, then a packet of that stream decrypted. Packets of others are skipped.
     */
    void awaitMediaFrom(String publisher, Duration wait) throws InterruptedException {
        long deadline = System.nanoTime() + wait.toNanos();
        while (true) {
            java.util.Set<Long> ssrcs = offeredSsrcs.getOrDefault(publisher, java.util.Set.of());
            org.parley.relay.client.ReceivedPacket p = media.poll(100);
            if (p != null && ssrcs.contains(p.ssrc())) {
                return;
            }
            assertTrue(System.nanoTime() < deadline, "no media of " + publisher + " received (offered: "
                    + offeredSsrcs + "); " + failure.get());
        }
    }

    JsonNode event(String type) throws InterruptedException {
        long deadline = System.nanoTime() + wait.toNanos();
        while (System.nanoTime() < deadline) {
            JsonNode e = events.poll(100, TimeUnit.MILLISECONDS);
            if (e != null && type.equals(e.path("type").asText())) {
                return e;
            }
        }
        throw new AssertionError("no " + type + "; " + failure.get());
    }

    private void read() {
        while (running && reading) {
            JsonNode e;
            try {
                e = client.nextEvent(Duration.ofMillis(100));
            } catch (SignalingException timeout) {
                continue;
            }
            if ("relay.offer".equals(e.path("type").asText())) {
                java.util.regex.Matcher m = SSRC_MSID.matcher(e.path("sdp").asText());
                while (m.find()) {
                    offeredSsrcs.computeIfAbsent(m.group(2), k -> java.util.concurrent.ConcurrentHashMap.newKeySet())
                            .add(Long.parseLong(m.group(1)));
                }
                try {
                    client.send("relay.answer", field, callId, "sdp", media.answerSubscriberOffer(e.path("sdp").asText()));
                } catch (RuntimeException x) {
                    failure.compareAndSet(null, "answering the relay: " + x);
                }
            } else {
                events.add(e);
            }
        }
    }

    /** A microphone: an audio packet every 20 ms once connected. */
    private void send() {
        byte[] audio = new byte[120];
        while (running) {
            try {
                if (media.isPublisherConnected()) {
                    media.sendAudio(audio, 30);
                }
                Thread.sleep(20);
            } catch (InterruptedException e) {
                return;
            } catch (RuntimeException e) {
                failure.compareAndSet(null, "sending: " + e);
            }
        }
    }

    @Override
    public void close() throws InterruptedException {
        running = false;
        sender.interrupt();
        sender.join(5000);
        reader.join(5000);
        media.close();
    }
}
