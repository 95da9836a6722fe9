package org.parley.signaling.e2e;

import com.fasterxml.jackson.databind.JsonNode;
import java.net.InetAddress;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;
import org.parley.relay.client.ReceivedPacket;
import org.parley.relay.client.RelayTestClient;
import org.parley.signaling.TestServer;
import org.parley.signaling.client.SignalingClient;
import org.parley.signaling.client.SignalingException;

/**
 * One device in a room whose media goes through a real relay, for end-to-end tests: its signaling
 * connection and its Java media client; once {@link #start started}, it publishes, answers the
 * relay's subscriber offers, and hands every other event and every packet received to the test,
 * each on a thread of its own.
 */
final class RoomDevice implements AutoCloseable {

    final String name;
    final String room;
    final SignalingClient signaling;
    final RelayTestClient media;
    /** What went wrong on the device's threads (the test asserts it stays empty). */
    final List<String> failures = new CopyOnWriteArrayList<>();
    private volatile boolean running = true;
    private Thread events;
    private Thread packets;

    RoomDevice(TestServer server, String room, String name) throws Exception {
        this.name = name;
        this.room = room;
        this.signaling = server.signIn(name, "laptop");
        this.media = new RelayTestClient(name, InetAddress.getLoopbackAddress());
    }

    /** Starts the event and packet threads, then publishes audio and video to the relay. */
    void start(Consumer<JsonNode> onEvent, Consumer<ReceivedPacket> onPacket) {
        events = new Thread(() -> handleEvents(onEvent), name + "-events");
        packets = new Thread(() -> receive(onPacket), name + "-packets");
        events.start();
        packets.start();
        JsonNode answer = signaling.request("relay.offer", "roomId", room, "sdp", media.publisherOffer());
        media.acceptPublisherAnswer(answer.get("sdp").asText());
    }

    private void handleEvents(Consumer<JsonNode> onEvent) {
        while (running) {
            JsonNode e;
            try {
                e = signaling.nextEvent(Duration.ofMillis(100));
            } catch (SignalingException timeout) {
                continue;
            }
            try {
                if ("relay.offer".equals(e.path("type").asText())) {
                    signaling.send("relay.answer", "roomId", room, "sdp", media.answerSubscriberOffer(e.get("sdp").asText()));
                } else {
                    onEvent.accept(e);
                }
            } catch (RuntimeException x) {
                failures.add(name + " handling " + e + ": " + x);
            }
        }
    }

    private void receive(Consumer<ReceivedPacket> onPacket) {
        while (running) {
            try {
                ReceivedPacket p = media.poll(100);
                if (p != null && p.kind() != null) {
                    onPacket.accept(p);
                }
            } catch (InterruptedException e) {
                return;
            }
        }
    }

    @Override
    public void close() throws Exception {
        running = false;
        if (events != null) {
            events.join(5000);
            packets.join(5000);
        }
        media.close();
        signaling.close();
    }
}
