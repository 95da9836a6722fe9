package org.parley.loadtest.scenario;

import java.io.IOException;
import java.net.InetAddress;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.parley.loadtest.Options;
import org.parley.loadtest.stats.Sample;
import org.parley.signaling.auth.Role;

/**
 * {@code conference}: R rooms of P participants, the first S of each room sending audio and
 * video at a chosen bitrate, everyone subscribed to everyone (the relay's default). Participants
 * join at a steady rate; each uses real signaling and real ICE/DTLS/SRTP media.
 */
public class ConferenceScenario implements Scenario {

    /** Largest video payload per RTP packet: the relay's client sends one packet per frame. */
    static final int MAX_VIDEO_PAYLOAD = 1100;

    protected final int rooms;
    protected final int participants;
    protected final int senders;
    private final long audioBitrate;
    private final long videoBitrate;
    private final int fps;
    private final double joinRate;
    private final InetAddress mediaAddress;
    private final Duration timeout;
    protected RunContext ctx;
    private final List<SimulatedParticipant> members = new CopyOnWriteArrayList<>();
    private final Crowd crowd = new Crowd();
    private final AtomicInteger joinsScheduled = new AtomicInteger();
    protected final AtomicInteger joined = new AtomicInteger();
    protected final AtomicInteger joinFailures = new AtomicInteger();
    private final AtomicInteger roomsStarted = new AtomicInteger();
    private volatile long nextJoinNanos;

    public ConferenceScenario(Options o) {
        this(o, 1);
    }

    protected ConferenceScenario(Options o, int defaultRooms) {
        this.rooms = o.integer("rooms", defaultRooms, 1, 10_000);
        this.participants = o.integer("participants", 3, 2, 1_000);
        this.senders = o.integer("senders", participants, 0, participants);
        this.audioBitrate = o.has("audio-bitrate") && o.string("audio-bitrate", "").equals("0") ? 0
                : o.bitrate("audio-bitrate", 32_000);
        this.videoBitrate = o.has("video-bitrate") && o.string("video-bitrate", "").equals("0") ? 0
                : o.bitrate("video-bitrate", 300_000);
        this.fps = o.integer("fps", 30, 1, 120);
        this.joinRate = o.number("join-rate", 5, 0.1, 1000);
        this.timeout = o.duration("request-timeout", Duration.ofSeconds(10));
        String address = o.string("media-address", "127.0.0.1");
        try {
            this.mediaAddress = InetAddress.getByName(address);
        } catch (IOException e) {
            throw new IllegalArgumentException("--media-address: not an address: " + address);
        }
    }

    @Override
    public String name() {
        return "conference";
    }

    /** Video packets per second and payload bytes that give the bitrate. */
    int[] videoShape() {
        if (videoBitrate == 0) {
            return new int[] {0, 0};
        }
        long bytesPerSecond = videoBitrate / 8;
        int pps = fps;
        if (bytesPerSecond / pps > MAX_VIDEO_PAYLOAD) {
            pps = (int) Math.ceil(bytesPerSecond / (double) MAX_VIDEO_PAYLOAD);
        }
        return new int[] {pps, (int) (bytesPerSecond / pps)};
    }

    int audioBytes() {
        return (int) (audioBitrate / 8 / 50);
    }

    @Override
    public Map<String, Object> settings() {
        Map<String, Object> s = new LinkedHashMap<>();
        s.put("rooms", rooms);
        s.put("participants per room", participants);
        s.put("senders per room", senders);
        s.put("audio", audioBitrate == 0 ? "off" : audioBitrate + " bit/s, 50 packets/s of " + audioBytes() + " bytes");
        int[] v = videoShape();
        s.put("video", videoBitrate == 0 ? "off" : videoBitrate + " bit/s, " + v[0] + " packets/s of " + v[1] + " bytes");
        s.put("join-rate per s", joinRate);
        s.put("media-address", mediaAddress.getHostAddress());
        return s;
    }

    @Override
    public void start(RunContext ctx) {
        this.ctx = ctx;
        nextJoinNanos = System.nanoTime();
        for (int r = 0; r < rooms; r++) {
            addRoom();
        }
    }

    /** Schedules a new room's participants to join at the join rate, after those already scheduled. */
    protected void addRoom() {
        int r = roomsStarted.getAndIncrement();
        String roomId = ctx.runId() + "-room" + r;
        long gap = (long) (1e9 / joinRate);
        for (int i = 0; i < participants; i++) {
            int index = i;
            long at;
            synchronized (this) {
                at = Math.max(nextJoinNanos, System.nanoTime());
                nextJoinNanos = at + gap;
            }
            joinsScheduled.incrementAndGet();
            ctx.scheduler().schedule(() -> ctx.workers().execute(() -> join(roomId, r, index)),
                    at - System.nanoTime(), TimeUnit.NANOSECONDS);
        }
    }

    private void join(String roomId, int room, int index) {
        String user = roomId + "-p" + index;
        long t0 = System.nanoTime();
        SimulatedParticipant member = null;
        try {
            SimulatedDevice device = SimulatedDevice.join(ctx, user, ctx.tokens().room(user, roomId, Role.PARTICIPANT),
                    timeout).get(timeout.toMillis() * 2, TimeUnit.MILLISECONDS);
            crowd.add(device);
            member = new SimulatedParticipant(ctx, device, roomId, room * 10_000 + index, mediaAddress, t0);
            members.add(member);
            boolean sender = index < senders;
            member.join(sender);
            if (sender) {
                int[] v = videoShape();
                member.startSending(audioBytes(), v[1], v[0]);
            }
            joined.incrementAndGet();
        } catch (Exception e) {
            joinFailures.incrementAndGet();
            ctx.metrics().error(user + ": join: " + ConnectionsScenario.rootMessage(e));
        }
    }

    @Override
    public String progress(Sample s) {
        return String.format(Locale.ROOT, "joined %d/%d | sent pps %.0f | jitter %.2f ms", joined.get(),
                joinsScheduled.get(), s.rate(org.parley.loadtest.stats.RunMetrics.PACKETS_SENT), s.jitterMs());
    }

    @Override
    public void stop() {
        members.forEach(SimulatedParticipant::close);
        crowd.leaveAll(10);
    }

    @Override
    public Map<String, Object> summary() {
        Map<String, Object> s = new LinkedHashMap<>();
        s.put("rooms started", roomsStarted.get());
        s.put("participants joined", joined.get());
        s.put("join failures", joinFailures.get());
        int streams = 0;
        int plis = 0;
        for (SimulatedParticipant m : members) {
            streams += m.streamsReceived();
            plis += m.plisAnswered();
        }
        s.put("streams received", streams);
        s.put("streams expected", expectedStreams());
        s.put("keyframes sent on PLI", plis);
        return s;
    }

    /** Each member receives each other sender's audio and video of its room. */
    int expectedStreams() {
        int kinds = (audioBitrate > 0 ? 1 : 0) + (videoBitrate > 0 ? 1 : 0);
        int full = roomsStarted.get() * (senders * (participants - 1)) * kinds;
        return full;
    }
}
