package org.parley.loadtest.scenario;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Clock;
import java.time.Duration;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.parley.loadtest.Options;
import org.parley.loadtest.report.LayerTable;
import org.parley.loadtest.stats.LatencyMetric;
import org.parley.loadtest.stats.MemberFigures;
import org.parley.loadtest.stats.RunMetrics;
import org.parley.loadtest.stats.Sample;
import org.parley.relay.client.e2ee.IdentityKeys;
import org.parley.signaling.auth.Role;
import org.parley.signaling.client.E2eeRoomMember;

/**
 * {@code conference}: R rooms of P participants, the first S of each room sending audio and
 * video at a chosen bitrate, the first N of each room also sharing a screen, everyone subscribed
 * to everyone (the relay's default). Participants
 * join at a steady rate; each uses real signaling and real ICE/DTLS/SRTP media.
 */
public class ConferenceScenario implements Scenario {

    protected final int rooms;
    protected final int participants;
    protected final int senders;
    private final MediaOptions media;
    /** --e2ee: members encrypt their media end to end and exchange keys through signaling. */
    private final boolean e2ee;
    private final int screenSharers;
    private final long screenBitrate;
    private final int screenFps;
    /**
     * {@code --capped-receivers N}: with {@code --receiver-bandwidth}, only the last N members of
     * each room receive through the cap (default all), so a run compares capped and free
     * receivers of the same publishers.
     */
    private final int cappedReceivers;
    /** {@code --relay-api-secret}: read each receiver's downlink estimate from the relay's API, or null. */
    private final String relayApiSecret;
    private volatile RelayEstimates estimates;
    private volatile java.util.concurrent.ScheduledFuture<?> estimatePolls;
    private final List<String> roomIds = new CopyOnWriteArrayList<>();
    private final double joinRate;
    private final Duration timeout;
    protected RunContext ctx;
    private MediaTally tally;
    /** A member and its index in its room. */
    private record Member(MediaSession session, int index, String participantId) {
    }

    private final List<Member> members = new CopyOnWriteArrayList<>();
    private final Crowd crowd = new Crowd();
    private final AtomicInteger joinsScheduled = new AtomicInteger();
    protected final AtomicInteger joined = new AtomicInteger();
    protected final AtomicInteger joinFailures = new AtomicInteger();
    private final AtomicInteger roomsStarted = new AtomicInteger();
    private volatile long nextJoinNanos;
    /** One-way latency of every received packet, read in windows by {@link CapacityScenario}. */
    protected final LatencyMetric windowLatency = new LatencyMetric("window");
    /** Longest wait at the end for the packets in flight when the senders stop. */
    private static final Duration DRAIN = Duration.ofSeconds(2);

    public ConferenceScenario(Options o) {
        this(o, 1);
    }

    protected ConferenceScenario(Options o, int defaultRooms) {
        this.rooms = o.integer("rooms", defaultRooms, 1, 10_000);
        this.participants = o.integer("participants", 3, 2, 1_000);
        this.senders = o.integer("senders", participants, 0, participants);
        this.media = new MediaOptions(o);
        this.screenSharers = o.integer("screen-sharers", 0, 0, participants);
        this.screenBitrate = o.bitrate("screen-bitrate", 250_000);
        this.screenFps = o.integer("screen-fps", 5, 1, 60);
        this.cappedReceivers = o.integer("capped-receivers", participants, 0, participants);
        if (o.has("capped-receivers") && media.receiverBandwidthBps == 0) {
            throw new IllegalArgumentException("--capped-receivers: needs --receiver-bandwidth");
        }
        if (media.simulcast && screenSharers > 0) {
            throw new IllegalArgumentException("--simulcast: not with --screen-sharers (the relay's Java client"
                    + " offers a simulcast camera or a screen share, not both)");
        }
        this.relayApiSecret = o.has("relay-api-secret") ? o.string("relay-api-secret", "") : null;
        this.joinRate = o.number("join-rate", 5, 0.1, 1000);
        this.timeout = o.duration("request-timeout", Duration.ofSeconds(10));
        this.e2ee = o.flag("e2ee");
    }

    @Override
    public String name() {
        return "conference";
    }

    @Override
    public Map<String, Object> settings() {
        Map<String, Object> s = new LinkedHashMap<>();
        s.put("rooms", rooms);
        s.put("participants per room", participants);
        s.put("senders per room", senders);
        s.put("end-to-end encryption", e2ee ? "on (SFrame, keys exchanged with e2ee.key)" : "off");
        media.describe(s);
        if (media.receiverBandwidthBps > 0) {
            s.put("capped receivers per room", cappedReceivers + " (the last of each room)");
        }
        int[] sc = screenShape();
        s.put("screen sharers per room", screenSharers);
        s.put("screen share", screenSharers == 0 ? "off"
                : screenBitrate + " bit/s, " + sc[0] + " packets/s of " + sc[1] + " bytes");
        s.put("join-rate per s", joinRate);
        return s;
    }

    @Override
    public void start(RunContext ctx) {
        this.ctx = ctx;
        this.tally = new MediaTally(ctx.metrics());
        ctx.warmUpSrtp();
        nextJoinNanos = System.nanoTime();
        for (int r = 0; r < rooms; r++) {
            addRoom();
        }
        if (relayApiSecret != null) {
            estimates = new RelayEstimates(ctx.target().nodes().get(0).metrics(), relayApiSecret, ctx.http(),
                    tally.startNanos());
            estimatePolls = ctx.scheduler().scheduleAtFixedRate(() -> ctx.workers().execute(this::pollEstimates),
                    1, 1, TimeUnit.SECONDS);
        }
    }

    /** One read of every room's relay stats; the first failure is an error and ends the reading. */
    private void pollEstimates() {
        try {
            for (String roomId : roomIds) {
                estimates.poll(roomId, System.nanoTime());
            }
        } catch (java.io.IOException e) {
            java.util.concurrent.ScheduledFuture<?> polls = estimatePolls;
            if (polls != null && !polls.isCancelled()) {
                polls.cancel(false);
                ctx.metrics().error("relay stats: " + e.getMessage());
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** Schedules a new room's participants to join at the join rate, after those already scheduled. */
    protected void addRoom() {
        int r = roomsStarted.getAndIncrement();
        String roomId = ctx.runId() + "-room" + r;
        roomIds.add(roomId);
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
        try {
            SimulatedDevice device = SimulatedDevice.join(ctx, user, ctx.tokens().room(user, roomId, Role.PARTICIPANT),
                    timeout).get(timeout.toMillis() * 2, TimeUnit.MILLISECONDS);
            crowd.add(device);
            E2eeRoomMember keys = e2ee ? new E2eeRoomMember(device.client(), roomId, IdentityKeys.generate(),
                    Clock.systemUTC()) : null;
            JsonNode result = keys == null ? device.client().request("room.join", "roomId", roomId)
                    : device.client().request("room.join", "roomId", roomId, "e2ee", keys.joinField());
            ctx.metrics().latency(RunMetrics.JOIN).recordNanos(System.nanoTime() - t0);
            MediaSession member = new MediaSession(ctx, tally, device, "roomId", roomId, room * 10_000 + index, media, t0,
                    windowLatency);
            if (keys != null) {
                keys.joined(result);
                member.encryptWith(keys);
            }
            if (index < participants - cappedReceivers) {
                member.uncapped();
            }
            members.add(new Member(member, index, result.path("participantId").asText()));
            boolean sender = index < senders;
            boolean sharer = index < screenSharers;
            member.connect(sender || sharer, sharer);
            if (sender) {
                member.startSending();
            }
            if (sharer) {
                // As a browser client does: announce the share, then send it.
                device.client().request("room.media", "roomId", roomId, "screen", true);
                int[] sc = screenShape();
                member.startScreenShare(sc[0], sc[1]);
            }
            // Joined means media can flow: a member whose ICE/DTLS set-up is still running is not
            // yet part of the load the duration is meant to hold.
            if ((sender || sharer) && !member.awaitPublisher(timeout.multipliedBy(3))) {
                throw new IllegalStateException("publisher connection not up within " + timeout.multipliedBy(3).toSeconds() + " s");
            }
            joined.incrementAndGet();
        } catch (Exception e) {
            joinFailures.incrementAndGet();
            ctx.metrics().error(user + ": join: " + ConnectionsScenario.rootMessage(e));
        }
    }

    @Override
    public boolean ready() {
        return joined.get() + joinFailures.get() >= joinsScheduled.get();
    }

    @Override
    public String progress(Sample s) {
        return String.format(Locale.ROOT, "joined %d/%d | streams flowing %d/%d | sent pps %.0f | jitter %.2f ms",
                joined.get(), joinsScheduled.get(), tally == null ? 0 : tally.flowing(), expectedStreams(),
                s.rate(RunMetrics.PACKETS_SENT), s.jitterMs());
    }

    @Override
    public void stop() {
        java.util.concurrent.ScheduledFuture<?> polls = estimatePolls;
        if (polls != null) {
            polls.cancel(false);
        }
        MediaSession.stopAll(members.stream().map(Member::session).toList(), DRAIN);
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
        for (Member m : members) {
            streams += m.session().streamsReceived();
            plis += m.session().plisAnswered();
        }
        s.put("streams received", streams);
        s.put("streams expected", expectedStreams());
        s.put("PLIs answered (keyframes sent on request)", plis);
        if (e2ee) {
            long decrypted = 0;
            long failures = 0;
            long withoutKey = 0;
            long keyErrors = 0;
            for (Member m : members) {
                E2eeRoomMember k = m.session().e2ee();
                if (k != null) {
                    decrypted += k.decryptor().decrypted();
                    failures += k.decryptor().failures() - k.decryptor().withoutKey();
                    withoutKey += k.decryptor().withoutKey();
                    keyErrors += k.keyErrors();
                }
            }
            s.put("E2EE frames decrypted", decrypted);
            s.put("E2EE decrypt failures", failures);
            s.put("E2EE frames ahead of their key", withoutKey);
            s.put("E2EE key message errors", keyErrors);
        }
        if (tally != null) {
            s.put("by kind", tally.summary(expectedByKind()));
        }
        if (media.simulcast) {
            s.put("layers received", layersReceived());
        }
        if (estimates != null) {
            s.put("relay estimate kbit/s", relayEstimates());
        }
        return s;
    }

    /** Per receiver, per publisher: the simulcast layer it got each second, and the kbit/s. */
    private Map<String, Object> layersReceived() {
        Map<String, Object> out = new LinkedHashMap<>();
        for (Member m : members) {
            out.put(m.session().user(), m.session().receivedLayers().timelines());
        }
        return out;
    }

    /** Per receiver: the relay's downlink estimate each second (-1: not read that second). */
    private Map<String, Object> relayEstimates() {
        Map<String, Object> out = new LinkedHashMap<>();
        for (Member m : members) {
            out.put(m.session().user(), estimates.of(m.participantId()));
        }
        return out;
    }

    @Override
    public List<String> consoleReport() {
        return media.simulcast ? LayerTable.lines(layersReceived(), estimates == null ? Map.of() : relayEstimates())
                : List.of();
    }

    @Override
    public List<MemberFigures> members() {
        return members.stream().map(m -> m.session().figures(expectedStreams(m.index()))).toList();
    }

    /** Streams the member with this index in its room should receive: every other sender's and sharer's. */
    private int expectedStreams(int index) {
        int otherSenders = senders - (index < senders ? 1 : 0);
        int kinds = (media.audioBitrate > 0 ? 1 : 0) + (media.videoBitrate > 0 ? 1 : 0);
        return otherSenders * kinds + screenSharers - (index < screenSharers ? 1 : 0);
    }

    /** Each member receives each other sender's audio and video, and each other sharer's screen, of its room. */
    int expectedStreams() {
        return expectedByKind().values().stream().mapToInt(Integer::intValue).sum();
    }

    private Map<MediaKind, Integer> expectedByKind() {
        Map<MediaKind, Integer> m = new EnumMap<>(MediaKind.class);
        int perKind = roomsStarted.get() * senders * (participants - 1);
        m.put(MediaKind.AUDIO, media.audioBitrate > 0 ? perKind : 0);
        m.put(MediaKind.VIDEO, media.videoBitrate > 0 ? perKind : 0);
        m.put(MediaKind.SCREEN, roomsStarted.get() * screenSharers * (participants - 1));
        return m;
    }

    /** Screen-share packets per second and bytes per packet (a few large frames a second). */
    int[] screenShape() {
        return MediaOptions.shape(screenBitrate, screenFps);
    }
}
