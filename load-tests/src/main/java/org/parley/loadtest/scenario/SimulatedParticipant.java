package org.parley.loadtest.scenario;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.net.InetAddress;
import java.time.Duration;
import java.util.concurrent.ConcurrentHashMap;
import java.util.Map;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.parley.loadtest.stats.JitterEstimator;
import org.parley.loadtest.stats.RunMetrics;
import org.parley.loadtest.stats.SequenceTracker;
import org.parley.relay.client.ReceivedPacket;
import org.parley.relay.client.RelayTestClient;
import org.parley.signaling.client.SignalingException;

/**
 * One conference member on the real stack: signaling through {@link SimulatedDevice}, media
 * through the relay's Java client (full ICE, DTLS, SRTP). A sender publishes audio every 20 ms
 * and video at a frame rate that gives its bitrate; every member answers the relay's subscriber
 * offers and measures what it receives, per stream: loss from the (rewritten) RTP sequence
 * numbers, RFC 3550 jitter against the sender's clock, and one-way latency from the send time
 * in the payload.
 */
final class SimulatedParticipant implements AutoCloseable {

    /** Jitter is computed in 90 kHz units of the sender's send time (video's RTP clock rate). */
    private static final int JITTER_CLOCK = 90_000;

    private final RunContext ctx;
    private final SimulatedDevice device;
    private final String roomId;
    private final int index;
    private final RelayTestClient media;
    private final Map<Long, Stream> streams = new ConcurrentHashMap<>();
    private final AtomicInteger audioCounter = new AtomicInteger();
    private final AtomicInteger videoCounter = new AtomicInteger();
    private final long joinStartNanos;
    private volatile boolean firstMedia = true;
    private volatile boolean closing;
    private Thread eventThread;
    private Thread receiveThread;
    private ScheduledFuture<?> audioTask;
    private ScheduledFuture<?> videoTask;

    private record Stream(SequenceTracker sequence, JitterEstimator jitter) {
    }

    SimulatedParticipant(RunContext ctx, SimulatedDevice device, String roomId, int index, InetAddress mediaAddress,
            long joinStartNanos) throws IOException {
        this.ctx = ctx;
        this.device = device;
        this.roomId = roomId;
        this.index = index;
        this.joinStartNanos = joinStartNanos;
        this.media = new RelayTestClient(device.user(), mediaAddress);
    }

    /** room.join; then, for a sender, the publisher offer/answer. Blocking. */
    void join(boolean sender) {
        device.client().request("room.join", "roomId", roomId);
        ctx.metrics().latency(RunMetrics.JOIN).recordNanos(System.nanoTime() - joinStartNanos);
        eventThread = new Thread(this::events, "events-" + device.user());
        eventThread.setDaemon(true);
        eventThread.start();
        receiveThread = new Thread(this::receive, "media-" + device.user());
        receiveThread.setDaemon(true);
        receiveThread.start();
        if (sender) {
            JsonNode answer = device.client().request("relay.offer", "roomId", roomId, "sdp", media.publisherOffer());
            media.acceptPublisherAnswer(answer.path("sdp").asText());
        }
    }

    /** Starts sending: audio every 20 ms with {@code audioBytes}, video frames of {@code videoBytes} at {@code fps}. */
    void startSending(int audioBytes, int videoBytes, int fps) {
        byte[] audio = new byte[Math.max(MediaPayload.HEADER, audioBytes)];
        byte[] video = new byte[Math.max(MediaPayload.HEADER, videoBytes)];
        if (audioBytes > 0) {
            audioTask = ctx.scheduler().scheduleAtFixedRate(guarded(() -> {
                if (media.isPublisherConnected()) {
                    MediaPayload.write(audio, System.nanoTime(), audioCounter.getAndIncrement(), index);
                    if (media.sendAudio(audio, 30)) {
                        ctx.metrics().increment(RunMetrics.PACKETS_SENT);
                    }
                }
            }, 20_000_000L), 20, 20, TimeUnit.MILLISECONDS);
        }
        if (videoBytes > 0 && fps > 0) {
            long period = 1_000_000L / fps;
            videoTask = ctx.scheduler().scheduleAtFixedRate(guarded(() -> {
                if (media.isPublisherConnected()) {
                    MediaPayload.write(video, System.nanoTime(), videoCounter.getAndIncrement(), index);
                    // The relay's client sends a keyframe first and whenever a PLI asked for one.
                    if (media.sendVideoFrame(video)) {
                        ctx.metrics().increment(RunMetrics.PACKETS_SENT);
                    }
                }
            }, period * 1000), period, period, TimeUnit.MICROSECONDS);
        }
    }

    /**
     * A periodic task that survives its own failure (an executor cancels a task that throws) and
     * skips the catch-up runs a fixed-rate executor makes after a stall: a real sender does not
     * send the media of a stalled second all at once.
     */
    private Runnable guarded(Runnable r, long periodNanos) {
        long[] last = {0};
        return () -> {
            long now = System.nanoTime();
            if (now - last[0] < periodNanos / 2) {
                ctx.metrics().increment("packets.skipped_late");
                return;
            }
            last[0] = now;
            try {
                r.run();
            } catch (RuntimeException e) {
                if (!closing) {
                    ctx.metrics().error(device.user() + ": send: " + e);
                }
            }
        };
    }

    /** Answers the relay's offers on the subscriber connection, for as long as the member is in. */
    private void events() {
        while (!closing) {
            JsonNode e;
            try {
                e = device.client().nextEvent(Duration.ofMillis(500));
            } catch (SignalingException timeout) {
                continue;
            }
            if ("relay.offer".equals(e.path("type").asText())) {
                try {
                    String answer = media.answerSubscriberOffer(e.path("sdp").asText());
                    device.client().send("relay.answer", "roomId", roomId, "sdp", answer).exceptionally(x -> {
                        if (!closing) {
                            ctx.metrics().error(device.user() + ": relay.answer: " + x.getMessage());
                        }
                        return null;
                    });
                } catch (RuntimeException x) {
                    ctx.metrics().error(device.user() + ": subscriber offer: " + x);
                }
            }
        }
    }

    private void receive() {
        while (!closing) {
            ReceivedPacket p;
            try {
                p = media.poll(200);
            } catch (InterruptedException e) {
                return;
            }
            if (p == null) {
                continue;
            }
            int off = MediaPayload.find(p.payload());
            if (off < 0) {
                ctx.metrics().increment("packets.foreign");
                continue;
            }
            long sent = MediaPayload.sendNanos(p.payload(), off);
            if (firstMedia) {
                firstMedia = false;
                ctx.metrics().latency("first-media").recordNanos(p.receivedNanos() - joinStartNanos);
            }
            ctx.metrics().increment(RunMetrics.PACKETS_RECEIVED);
            ctx.metrics().latency(RunMetrics.LATENCY).recordNanos(p.receivedNanos() - sent);
            Stream s = streams.computeIfAbsent(p.ssrc(), k -> {
                Stream n = new Stream(new SequenceTracker(), new JitterEstimator(JITTER_CLOCK));
                ctx.metrics().addStream(n.sequence(), n.jitter());
                return n;
            });
            s.sequence().onPacket(p.sequence());
            s.jitter().onPacket(p.receivedNanos(), (int) (sent * JITTER_CLOCK / 1_000_000_000L));
        }
    }

    /** Streams this member has received from (one per sender and kind). */
    int streamsReceived() {
        return streams.size();
    }

    int plisAnswered() {
        return media.plisReceived();
    }

    @Override
    public void close() {
        closing = true;
        for (ScheduledFuture<?> t : new ScheduledFuture<?>[] {audioTask, videoTask}) {
            if (t != null) {
                t.cancel(false);
            }
        }
        media.close();
    }
}
