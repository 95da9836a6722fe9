package org.parley.server;

import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicReference;
import org.parley.relay.client.MediaKind;
import org.parley.relay.client.ReceivedPacket;
import org.parley.relay.client.RelayTestClient;
import org.parley.signaling.client.SignalingClient;

/**
 * A member of a room or relay call on a cluster's relays (cascading tests): answers the relay's
 * subscriber offers, publishes audio and video frames that name it and their number, sorts what it
 * receives by sender (the payload names it), and on {@code relay.reset} sets up both its relay
 * connections afresh, as a browser does.
 */
final class LinkedMember implements AutoCloseable {

    static final Duration WAIT = Duration.ofSeconds(30);

    final String name;
    private final String contextField;
    private final String contextId;
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

    /** @param contextField {@code roomId} or {@code callId}, with {@code contextId} naming it */
    LinkedMember(String name, SignalingClient signaling, String contextField, String contextId) throws Exception {
        this.name = name;
        this.signaling = signaling;
        this.contextField = contextField;
        this.contextId = contextId;
        this.media = new RelayTestClient(name, InetAddress.getLoopbackAddress());
    }

    /**
     * Each member gets a keyframe of every other's camera, then every frame of a numbered burst
     * ({@code frames} of each, audio and video).
     */
    static void everyoneGetsEveryone(List<LinkedMember> members, int frames) throws InterruptedException {
        for (LinkedMember m : members) {
            for (LinkedMember from : members) {
                if (m != from) {
                    m.awaitVideoFrom(from, members);
                }
            }
        }
        for (LinkedMember m : members) {
            m.clear();
        }
        for (int i = 0; i < frames; i++) {
            for (LinkedMember m : members) {
                m.sendFrames(i);
            }
            Thread.sleep(20);
        }
        for (LinkedMember m : members) {
            for (LinkedMember from : members) {
                if (m != from) {
                    m.awaitAll(from, MediaKind.AUDIO, frames);
                    m.awaitAll(from, MediaKind.VIDEO, frames);
                }
            }
        }
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
        JsonNode answer = signaling.request("relay.offer", contextField, contextId, "sdp", media.publisherOffer());
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
    void awaitVideoFrom(LinkedMember from, List<LinkedMember> all) throws InterruptedException {
        long deadline = System.nanoTime() + WAIT.toNanos();
        while (!lastVideo.containsKey(from.name)) {
            assertTrue(System.nanoTime() < deadline, name + " never got video of " + from.name + " (on relay "
                    + from.relayUdpPort() + ", " + name + " on " + relayUdpPort() + "); " + failure.get());
            for (LinkedMember m : all) {
                m.media.sendVideoFrame((m.name + " video warm-up").getBytes(StandardCharsets.US_ASCII));
            }
            Thread.sleep(50);
        }
    }

    /** Waits until {@code frames} numbered frames of {@code from} arrived (0 to frames - 1, after a clear). */
    void awaitAll(LinkedMember from, MediaKind kind, int frames) throws InterruptedException {
        String key = from.name + " " + kind.name().toLowerCase(java.util.Locale.ROOT);
        long deadline = System.nanoTime() + WAIT.toNanos();
        while (received.getOrDefault(key, Set.of()).size() < frames) {
            assertTrue(System.nanoTime() < deadline, name + " got " + received.getOrDefault(key, Set.of()).size()
                    + " of " + frames + " frames of " + key + ": " + received.get(key));
            Thread.sleep(20);
        }
    }

    /** Waits until every frame numbered {@code from} (inclusive) to {@code to} (exclusive) of {@code sender} arrived. */
    void awaitRange(LinkedMember sender, MediaKind kind, int from, int to) throws InterruptedException {
        String key = sender.name + " " + kind.name().toLowerCase(java.util.Locale.ROOT);
        long deadline = System.nanoTime() + WAIT.toNanos();
        while (true) {
            Set<Integer> got = received.getOrDefault(key, Set.of());
            List<Integer> missing = new ArrayList<>();
            for (int i = from; i < to; i++) {
                if (!got.contains(i)) {
                    missing.add(i);
                }
            }
            if (missing.isEmpty()) {
                return;
            }
            assertTrue(System.nanoTime() < deadline, name + " never got " + missing.size() + " of " + (to - from)
                    + " frames of " + key + " sent while the linked relay died: " + missing);
            Thread.sleep(20);
        }
    }

    ReceivedPacket lastVideoFrom(LinkedMember from) {
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

    void awaitKeyframeFrom(LinkedMember from) throws InterruptedException {
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
                        signaling.send("relay.answer", contextField, contextId, "sdp",
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
