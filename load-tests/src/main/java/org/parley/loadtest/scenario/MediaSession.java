package org.parley.loadtest.scenario;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BooleanSupplier;
import org.parley.loadtest.stats.LatencyMetric;
import org.parley.loadtest.stats.MemberFigures;
import org.parley.loadtest.stats.ReceivedLayers;
import org.parley.loadtest.stats.RunMetrics;
import org.parley.loadtest.stats.SentStream;
import org.parley.loadtest.stats.StreamReception;
import org.parley.relay.client.ReceivedPacket;
import org.parley.relay.client.RelayTestClient;
import org.parley.relay.client.SimulcastCamera;
import org.parley.signaling.client.E2eeRoomMember;
import org.parley.relay.rtp.KeyframeDetector;
import org.parley.relay.sdp.RelayCodec;
import org.parley.signaling.client.SignalingException;

/**
 * One device's media through the relay, in one context (a room or a relay-mode call): the
 * relay's Java client (full ICE, DTLS, SRTP) on a publisher and a subscriber connection. It
 * publishes audio every 20 ms, camera frames and optionally screen-share frames, with periodic
 * keyframes; it answers the relay's subscriber offers and measures what it receives per stream:
 * loss from the relay-rewritten RTP sequence numbers, RFC 3550 jitter against the sender's clock,
 * one-way latency from the send time in the payload, and the keyframes that arrive.
 */
final class MediaSession implements AutoCloseable {

    /** The relay's client sends VP8 for both camera and screen share. */
    private static final RelayCodec VIDEO_CODEC = RelayCodec.VP8;
    private static final long RECEIVER_REPORT_MILLIS = 1000;

    private final RunContext ctx;
    private final MediaTally tally;
    private final SimulatedDevice device;
    private final String contextKey;
    private final String contextId;
    private final int index;
    private final MediaOptions options;
    private final RelayTestClient media;
    private final Map<Long, MediaTally.Inbound> streams = new ConcurrentHashMap<>();
    private final long startNanos;
    /** The scenario's own latency window (capacity judges each step on it). */
    private final LatencyMetric windowLatency;
    private final List<ScheduledFuture<?>> tasks = new CopyOnWriteArrayList<>();
    /** Set by {@link #stopSending()}; a send that has not begun by then does not begin. */
    private volatile boolean sendingStopped;
    /** Sends under way: {@link #stopSending()} waits for them, so a packet counted as sent is on the wire. */
    private final AtomicInteger sendsInFlight = new AtomicInteger();
    private volatile long firstMediaNanos;
    private final ReceivedLayers receivedLayers;
    private volatile ScheduledFuture<?> receiverReports;
    private volatile boolean eventsOpen = true;
    /** End-to-end encryption of this member's media (--e2ee), or null. */
    private volatile E2eeRoomMember e2ee;
    private volatile boolean closing;
    private Thread eventThread;
    private Thread receiveThread;

    /**
     * Encrypts what this member sends and decrypts what it receives with {@code keys}, whose room
     * events (joins, leaves, key messages) it is handed from now on.
     */
    void encryptWith(E2eeRoomMember keys) {
        this.e2ee = keys;
        media.transformOutgoing(keys.encryptor());
    }

    /** This member's end-to-end encryption, or null without --e2ee. */
    E2eeRoomMember e2ee() {
        return e2ee;
    }

    /**
     * @param contextKey {@code roomId} or {@code callId}, the relay messages' context (protocol 6.4)
     * @param startNanos when this device started joining: first media is measured from it
     */
    MediaSession(RunContext ctx, MediaTally tally, SimulatedDevice device, String contextKey, String contextId,
            int index, MediaOptions options, long startNanos, LatencyMetric windowLatency) throws IOException {
        this.ctx = ctx;
        this.tally = tally;
        this.device = device;
        this.contextKey = contextKey;
        this.contextId = contextId;
        this.index = index;
        this.options = options;
        this.startNanos = startNanos;
        this.windowLatency = windowLatency;
        this.receivedLayers = new ReceivedLayers(tally.startNanos());
        tally.name(index, device.user());
        this.media = new RelayTestClient(device.user(), options.address);
        media.capReceiveBandwidth(options.receiverBandwidthBps);
    }

    /**
     * Starts answering subscriber offers and receiving; then, for a publisher, the publisher
     * offer/answer (with a screen-share section for a screen sharer). Blocking.
     */
    void connect(boolean publish, boolean screen) {
        eventThread = new Thread(this::events, "events-" + device.user());
        eventThread.setDaemon(true);
        eventThread.start();
        receiveThread = new Thread(this::receive, "media-" + device.user());
        receiveThread.setDaemon(true);
        receiveThread.start();
        // As a browser does while it receives: an RTCP receiver report about every second (RFC
        // 3550 section 6.2 leaves the interval to the profile; libwebrtc sends video RRs each
        // second). For a member who only listens it is the only thing it sends after DTLS, and
        // without it the relay expires the member after parley.relay.endpoint-timeout (30 s).
        receiverReports = ctx.scheduler().scheduleAtFixedRate(() -> {
            try {
                media.sendReceiverReport();
            } catch (RuntimeException e) {
                if (!closing) {
                    ctx.metrics().error(device.user() + ": receiver report: " + e);
                }
            }
        }, RECEIVER_REPORT_MILLIS, RECEIVER_REPORT_MILLIS, TimeUnit.MILLISECONDS);
        if (publish) {
            String offer = screen ? media.publisherOfferWithScreen()
                    : options.simulcast ? media.publisherOfferWithSimulcast(true) : media.publisherOffer();
            JsonNode answer = device.client().request("relay.offer", contextKey, contextId, "sdp", offer);
            media.acceptPublisherAnswer(answer.path("sdp").asText());
        }
    }

    /**
     * Waits until the publisher connection carries media (ICE and DTLS done), so that a scenario
     * counts the load as in place only once media can flow. False if it took longer than {@code max}.
     */
    boolean awaitPublisher(Duration max) throws InterruptedException {
        long deadline = System.nanoTime() + max.toNanos();
        while (!media.isPublisherConnected()) {
            if (closing || System.nanoTime() - deadline > 0) {
                return false;
            }
            Thread.sleep(20);
        }
        return true;
    }

    /** Waits until this device receives {@code streams} streams; false if that took longer than {@code max}. */
    boolean awaitStreams(int streams, Duration max) throws InterruptedException {
        long deadline = System.nanoTime() + max.toNanos();
        while (streamsReceived() < streams) {
            if (closing || System.nanoTime() - deadline > 0) {
                return false;
            }
            Thread.sleep(20);
        }
        return true;
    }

    /** Starts the camera and microphone as {@link MediaOptions} say. */
    void startSending() {
        int audioBytes = options.audioBytes();
        if (audioBytes > 0) {
            byte[] audio = payload(audioBytes);
            SentStream counter = tally.sent(index, MediaKind.AUDIO);
            every(20_000_000L, () -> {
                MediaPayload.write(audio, System.nanoTime(), counter.next(), index, MediaKind.AUDIO);
                return media.sendAudio(audio, 30);
            });
        }
        if (options.simulcast) {
            startSimulcastCamera();
            return;
        }
        int[] v = options.videoShape();
        if (v[0] > 0) {
            KeyframeSchedule keyframes = new KeyframeSchedule(options.keyframeInterval.toNanos());
            byte[] video = payload(v[1]);
            SentStream counter = tally.sent(index, MediaKind.VIDEO);
            every(1_000_000_000L / v[0], () -> {
                long now = System.nanoTime();
                if (keyframes.due(now)) {
                    media.requestKeyframe();
                }
                MediaPayload.write(video, now, counter.next(), index, MediaKind.VIDEO);
                return media.sendVideoFrame(video);
            });
        }
    }

    /**
     * The camera as three simulcast layers (rid-signalled, as Chromium sends it), each at its
     * share of the video bitrate with its own periodic keyframes; every packet names its layer
     * in the payload, so receivers see which one the relay forwards them.
     */
    private void startSimulcastCamera() {
        SimulcastCamera camera = media.simulcast();
        SentStream counter = tally.sent(index, MediaKind.VIDEO);
        int[][] shapes = options.simulcastShapes();
        for (int layer = 0; layer < shapes.length; layer++) {
            int l = layer;
            KeyframeSchedule keyframes = new KeyframeSchedule(options.keyframeInterval.toNanos());
            byte[] video = payload(shapes[layer][1]);
            every(1_000_000_000L / shapes[layer][0], () -> {
                long now = System.nanoTime();
                if (keyframes.due(now)) {
                    camera.requestKeyframe(l);
                }
                MediaPayload.write(video, now, counter.next(), index, MediaKind.VIDEO, l);
                return camera.sendFrame(l, video);
            });
        }
    }

    /**
     * Starts a screen share: {@code pps} VP8 frames a second of {@code bytes}, with the same
     * periodic keyframes as the camera (the relay's client answers PLIs for it separately).
     */
    void startScreenShare(int pps, int bytes) {
        KeyframeSchedule keyframes = new KeyframeSchedule(options.keyframeInterval.toNanos());
        byte[] screen = payload(bytes);
        SentStream counter = tally.sent(index, MediaKind.SCREEN);
        every(1_000_000_000L / pps, () -> {
            long now = System.nanoTime();
            if (keyframes.due(now)) {
                media.requestScreenKeyframe();
            }
            MediaPayload.write(screen, now, counter.next(), index, MediaKind.SCREEN);
            return media.sendScreenFrame(screen);
        });
    }

    private static byte[] payload(int bytes) {
        return new byte[Math.max(MediaPayload.HEADER, bytes)];
    }

    /**
     * Runs {@code send} every {@code periodNanos} once the publisher connection is up, counting
     * what was sent. The task survives its own failure (an executor cancels a task that throws)
     * and skips the catch-up runs a fixed-rate executor makes after a stall: a real sender does
     * not send the media of a stalled second all at once.
     */
    private void every(long periodNanos, BooleanSupplier send) {
        long[] last = {0};
        Runnable tick = () -> {
            long now = System.nanoTime();
            if (now - last[0] < periodNanos / 2) {
                ctx.metrics().increment("packets.skipped_late");
                return;
            }
            last[0] = now;
            // Counted in before the flag is read: stopSending() sets the flag, then waits for the
            // count to drop, so no packet is numbered after the drain has started.
            sendsInFlight.incrementAndGet();
            try {
                if (!sendingStopped && media.isPublisherConnected() && send.getAsBoolean()) {
                    ctx.metrics().increment(RunMetrics.PACKETS_SENT);
                }
            } catch (RuntimeException e) {
                if (!closing) {
                    ctx.metrics().error(device.user() + ": send: " + e);
                }
            } finally {
                sendsInFlight.decrementAndGet();
            }
        };
        long periodMicros = periodNanos / 1000;
        tasks.add(ctx.scheduler().scheduleAtFixedRate(tick, periodMicros, periodMicros, TimeUnit.MICROSECONDS));
    }

    /** Answers the relay's offers on the subscriber connection until {@link #stop()}. */
    private void events() {
        while (eventsOpen) {
            JsonNode e;
            try {
                e = device.client().nextEvent(Duration.ofMillis(100));
            } catch (SignalingException timeout) {
                continue;
            }
            if ("relay.offer".equals(e.path("type").asText())) {
                try {
                    String answer = media.answerSubscriberOffer(e.path("sdp").asText());
                    device.client().send("relay.answer", contextKey, contextId, "sdp", answer).exceptionally(x -> {
                        if (!closing) {
                            ctx.metrics().error(device.user() + ": relay.answer: " + x.getMessage());
                        }
                        return null;
                    });
                } catch (RuntimeException x) {
                    ctx.metrics().error(device.user() + ": subscriber offer: " + x);
                }
            } else if (e2ee != null) {
                e2ee.onEvent(e);
            }
        }
    }

    private void receive() {
        RunMetrics metrics = ctx.metrics();
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
            byte[] payload = p.payload();
            boolean videoKeyframe;
            E2eeRoomMember keys = e2ee;
            if (keys != null) {
                // what a decoder would get: the frame opened, or nothing (counted) when it does not open
                org.parley.relay.client.MediaKind k = p.kind();
                byte[] frame = k == null ? null : keys.decryptor().open(k, p.frame());
                if (frame == null) {
                    metrics.increment(RunMetrics.E2EE_DECRYPT_FAILURES);
                    continue;
                }
                payload = frame;
                videoKeyframe = k == org.parley.relay.client.MediaKind.VIDEO && (frame[0] & 0x01) == 0;
            } else {
                videoKeyframe = KeyframeDetector.isKeyframeStart(VIDEO_CODEC, payload, 0, payload.length);
            }
            int off = MediaPayload.find(payload);
            MediaKind kind = off < 0 ? null : MediaPayload.kind(payload, off);
            if (kind == null) {
                metrics.increment("packets.foreign");
                continue;
            }
            long sent = MediaPayload.sendNanos(payload, off);
            long now = p.receivedNanos();
            if (firstMediaNanos == 0) {
                firstMediaNanos = now;
                metrics.latency("first-media").recordNanos(now - startNanos);
            }
            MediaTally.Names names = tally.names(kind);
            metrics.increment(RunMetrics.PACKETS_RECEIVED);
            metrics.increment(names.packets());
            metrics.latency(RunMetrics.LATENCY).recordNanos(now - sent);
            metrics.latency(names.latency()).recordNanos(now - sent);
            windowLatency.recordNanos(now - sent);
            // Keyed by what the payload says (sender, kind), not by the relay-rewritten SSRC.
            int sender = MediaPayload.sender(payload, off);
            int layer = MediaPayload.layer(payload, off);
            MediaTally.Inbound s = streams.computeIfAbsent(MediaTally.key(sender, kind),
                    k -> tally.open(sender, kind, layer < 0));
            // A simulcast camera's layers each count their own packets: the relay's sequence
            // numbers, continuous across its layer switches, are what this receiver should have.
            s.reception.onPacket(layer < 0 ? MediaPayload.counter(payload, off) : p.sequence(), now, sent);
            if (layer >= 0) {
                receivedLayers.record(tally.publisherName(sender), layer, p.payload().length, now);
            }
            if (kind.isVideo() && videoKeyframe) {
                metrics.increment(names.keyframes());
                if (s.lastKeyframeNanos != 0) {
                    metrics.latency(names.keyframeInterval()).recordNanos(now - s.lastKeyframeNanos);
                }
                s.lastKeyframeNanos = now;
            }
        }
    }

    /** The simulcast layer this device got of each publisher's camera, second by second. */
    ReceivedLayers receivedLayers() {
        return receivedLayers;
    }

    String user() {
        return device.user();
    }

    /** Receives without a bandwidth cap, whatever {@code --receiver-bandwidth} says. */
    void uncapped() {
        media.capReceiveBandwidth(0);
    }

    /** Streams this device has received from (one per sender and kind). */
    int streamsReceived() {
        return streams.size();
    }

    int plisAnswered() {
        return media.plisReceived();
    }

    /**
     * Stops the microphone, camera and screen share; receiving goes on. Returns once no send is
     * under way: a send that was running when the tasks were cancelled has numbered its packet,
     * and a drain that started before that packet left would count it as lost.
     */
    void stopSending() {
        sendingStopped = true;
        tasks.forEach(t -> t.cancel(false));
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(2);
        while (sendsInFlight.get() > 0 && System.nanoTime() - deadline < 0) {
            Thread.onSpinWait();
        }
    }

    /**
     * Waits until every stream this device receives has brought the last packet its sender
     * sent and the recent gaps a retransmission may still fill are filled, or {@code deadlineNanos}
     * (a lost packet never comes): what was in flight or in repair when the senders stopped is
     * then not counted as lost.
     */
    void awaitDrained(long deadlineNanos) throws InterruptedException {
        for (MediaTally.Inbound s : streams.values()) {
            StreamReception r = s.reception;
            while (((r.followsSender() && r.highestCounter() < r.source().sent() - 1) || r.gapsInRepair() > 0) && !closing
                    && System.nanoTime() - deadlineNanos < 0) {
                Thread.sleep(10);
            }
        }
    }

    /** {@link #drain}, then closes the sessions. */
    static void stopAll(java.util.Collection<MediaSession> sessions, Duration drain) {
        drain(sessions, drain);
        sessions.forEach(MediaSession::close);
    }

    /**
     * Ends a set of sessions' media without counting the end as loss: every sender stops, the
     * packets in flight arrive (waiting at most {@code drain}), and every source's count is final.
     */
    static void drain(java.util.Collection<MediaSession> sessions, Duration drain) {
        sessions.forEach(MediaSession::stopSending);
        long deadline = System.nanoTime() + drain.toNanos();
        try {
            for (MediaSession m : sessions) {
                m.awaitDrained(deadline);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        for (MediaSession m : sessions) {
            m.streams.values().forEach(s -> s.reception.source().settleAll());
        }
    }

    /** What this device received, against the {@code expectedStreams} it should have. */
    MemberFigures figures(int expectedStreams) {
        long expected = 0;
        long lost = 0;
        double jitter = 0;
        for (MediaTally.Inbound s : streams.values()) {
            expected += s.reception.expected();
            lost += s.reception.lost();
            jitter += s.reception.jitterMillis();
        }
        long first = firstMediaNanos;
        return new MemberFigures(device.user(), streams.size(), expectedStreams, expected, lost,
                streams.isEmpty() ? 0 : jitter / streams.size(), first == 0 ? -1 : (first - startNanos) / 1e6);
    }

    /**
     * Stops sending and answering offers, without closing the connections: in a call the
     * signaling that follows (hang-up) must not race this session for events.
     */
    void stop() {
        stopSending();
        eventsOpen = false;
        Thread t = eventThread;
        if (t != null && t != Thread.currentThread()) {
            try {
                t.join(2000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    @Override
    public void close() {
        closing = true;
        stop();
        ScheduledFuture<?> rr = receiverReports;
        if (rr != null) {
            rr.cancel(false);
        }
        streams.values().forEach(s -> s.reception.close());
        media.close();
    }
}
