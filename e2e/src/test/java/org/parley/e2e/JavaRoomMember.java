package org.parley.e2e;

import com.fasterxml.jackson.databind.JsonNode;
import java.net.InetAddress;
import java.net.URI;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicReference;
import org.parley.relay.client.ReceivedPacket;
import org.parley.relay.client.RelayTestClient;
import org.parley.signaling.auth.Role;
import org.parley.signaling.client.SignalingClient;

/**
 * A room member without a browser, as the web app behaves: it signs in, joins, publishes a
 * microphone (a packet every 20 ms carrying an RFC 6464 audio level: loud while {@link #speak}
 * says so, silence otherwise) and a camera (a VP8 frame every 60 ms) through the relay's Java
 * client (ICE, DTLS, SRTP), answers the relay's subscriber offers, and counts what it receives
 * per publisher and kind, telling them apart by the SSRCs each offer announces (RFC 8830 msid).
 */
final class JavaRoomMember implements AutoCloseable {

    /** RFC 6464 levels are -dBov: 10 is loud speech, 127 silence. */
    private static final int LOUD = 10;
    private static final int SILENT = 127;

    final String name;
    final String participantId;
    private final String roomId;
    private final SignalingClient signaling;
    private final RelayTestClient media;
    /** Primary (not RTX) SSRC -> "participantId kind", from the subscriber offers. */
    private final Map<Long, String> owners = new ConcurrentHashMap<>();
    private final Map<String, Long> received = new ConcurrentHashMap<>();
    /** Participant ids of the room.active_speaker events, in order. */
    final List<String> speakers = new CopyOnWriteArrayList<>();
    private final AtomicReference<String> failure = new AtomicReference<>();
    private volatile boolean speaking;
    private volatile boolean running = true;
    private final List<Thread> threads;

    private JavaRoomMember(String name, String roomId, SignalingClient signaling, String participantId)
            throws Exception {
        this.name = name;
        this.roomId = roomId;
        this.signaling = signaling;
        this.participantId = participantId;
        this.media = new RelayTestClient(name, InetAddress.getLoopbackAddress());
        this.threads = List.of(new Thread(this::events, "events-" + name), new Thread(this::send, "send-" + name),
                new Thread(this::receive, "receive-" + name));
    }

    /** Signs in with a participant token for {@code roomId}, joins and starts publishing. */
    static JavaRoomMember join(ParleyServer server, String name, String roomId) throws Exception {
        SignalingClient s = SignalingClient.connect(URI.create(server.origin().replace("http:", "ws:") + "/ws"),
                Duration.ofSeconds(20));
        s.hello(server.token(name, roomId, Role.PARTICIPANT), name + "-bot");
        String id = s.request("room.join", "roomId", roomId).path("participantId").asText();
        JavaRoomMember m = new JavaRoomMember(name, roomId, s, id);
        m.threads.forEach(t -> {
            t.setDaemon(true);
            t.start();
        });
        JsonNode answer = s.request("relay.offer", "roomId", roomId, "sdp", m.media.publisherOffer());
        m.media.acceptPublisherAnswer(answer.path("sdp").asText());
        return m;
    }

    boolean publishing() {
        return media.isPublisherConnected();
    }

    void speak(boolean on) {
        speaking = on;
    }

    /** Publishers whose video the relay's offers announced to this member. */
    long videoSourcesOffered() {
        return owners.values().stream().filter(o -> o.endsWith(" video")).count();
    }

    /** Packets received so far, by "participantId kind". */
    Map<String, Long> received() {
        return new HashMap<>(received);
    }

    String failure() {
        return failure.get();
    }

    private void events() {
        while (running) {
            try {
                signaling.quietOrTakeInto(Duration.ofMillis(100), this::handle);
            } catch (RuntimeException e) {
                if (running) {
                    failure.compareAndSet(null, "events: " + e);
                }
                return;
            }
        }
    }

    private void handle(JsonNode e) {
        switch (e.path("type").asText()) {
            case "relay.offer" -> {
                String sdp = e.path("sdp").asText();
                owners.putAll(SubscriberSsrcs.owners(sdp));
                signaling.send("relay.answer", "roomId", roomId, "sdp", media.answerSubscriberOffer(sdp));
            }
            case "room.active_speaker" -> speakers.add(e.path("participantId").asText());
            default -> {
            }
        }
    }

    private void send() {
        byte[] audio = new byte[80];
        byte[] video = new byte[600];
        for (long tick = 0; running; tick++) {
            try {
                if (media.isPublisherConnected()) {
                    media.sendAudio(audio, speaking ? LOUD : SILENT);
                    if (tick % 3 == 0) {
                        media.sendVideoFrame(video);
                    }
                }
                Thread.sleep(20);
            } catch (InterruptedException e) {
                return;
            } catch (RuntimeException e) {
                failure.compareAndSet(null, "send: " + e);
            }
        }
    }

    private void receive() {
        while (running) {
            try {
                ReceivedPacket p = media.poll(100);
                String owner = p == null ? null : owners.get(p.ssrc());
                if (owner != null) {
                    received.merge(owner, 1L, Long::sum);
                }
            } catch (InterruptedException e) {
                return;
            }
        }
    }

    @Override
    public void close() {
        running = false;
        for (Thread t : threads) {
            try {
                t.join(2000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        media.close();
        signaling.close();
    }
}
