package org.parley.signaling.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.parley.relay.RelayConfig;
import org.parley.relay.RelayServer;
import org.parley.relay.client.MediaKind;
import org.parley.relay.client.ReceivedPacket;
import org.parley.relay.client.RelayTestClient;
import org.parley.signaling.TestServer;
import org.parley.signaling.client.SignalingClient;

/**
 * A receiver's own last-N, set with {@code media.constraints} over the real WebSocket and applied
 * by the real relay (ICE, DTLS, SRTP, Java clients sending audio and video): in a room of four
 * publishers, the receiver that asked for last-N 1 gets the current speaker's video only while
 * another receiver, which said nothing, keeps getting all four; {@code lastN} left out again
 * restores the relay's default (docs/protocol.md, media.constraints).
 */
class PerClientLastNEndToEndTest {

    private static final String ROOM = "r-lastn";
    private static final List<String> PUBLISHERS = List.of("p1", "p2", "p3", "p4");
    private static final String SPEAKER = "p3";
    /** Whose video a receiver got within this much time is "what it gets now". */
    private static final long WINDOW_NANOS = 1_500_000_000L;

    private RelayServer relay;
    private TestServer server;
    private final List<Member> members = new ArrayList<>();

    @AfterEach
    void stop() throws Exception {
        for (Member m : members) {
            m.close();
        }
        if (server != null) {
            server.close();
        }
        if (relay != null) {
            relay.close();
        }
    }

    /** One device in the room, keeping when it last got each publisher's video. */
    private final class Member implements AutoCloseable {
        final String name;
        final RoomDevice device;
        final SignalingClient signaling;
        final RelayTestClient media;
        /** When this member last received a video frame of each publisher (by the name in it). */
        final Map<String, Long> lastVideo = new ConcurrentHashMap<>();

        Member(String name, Optional<String> invite) throws Exception {
            this.name = name;
            device = new RoomDevice(server, ROOM, name);
            signaling = device.signaling;
            media = device.media;
            if (invite.isEmpty()) {
                signaling.request("room.create", "roomId", ROOM);
            }
            List<Object> join = new ArrayList<>(List.of("roomId", ROOM));
            invite.ifPresent(i -> join.addAll(List.of("invite", i)));
            signaling.request("room.join", join.toArray());
            device.start(e -> { }, this::onPacket);
            members.add(this);
        }

        private void onPacket(ReceivedPacket p) {
            if (p.kind() == MediaKind.VIDEO) {
                String text = new String(p.frame(), StandardCharsets.US_ASCII);
                for (String publisher : PUBLISHERS) {
                    if (text.contains("from " + publisher + ";")) {
                        lastVideo.put(publisher, System.nanoTime());
                    }
                }
            }
        }

        /** The publishers whose video reached this member within the last window. */
        Set<String> videosNow() {
            long since = System.nanoTime() - WINDOW_NANOS;
            Set<String> now = new TreeSet<>();
            lastVideo.forEach((who, at) -> {
                if (at > since) {
                    now.add(who);
                }
            });
            return now;
        }

        @Override
        public void close() throws Exception {
            device.close();
        }
    }

    private List<String> failures() {
        List<String> all = new ArrayList<>();
        members.forEach(m -> all.addAll(m.device.failures));
        return all;
    }

    /**
     * The publishers send audio (the speaker loud, the rest nearly silent: RFC 6464 levels) and a
     * video frame every 20 ms until both receivers' view of who they get held {@code expected} for
     * two windows in a row; fails (with what they got) after a generous deadline.
     */
    private void sendUntil(List<Member> publishers, Map<Member, Set<String>> expected, String what)
            throws InterruptedException {
        long deadline = System.nanoTime() + 30_000_000_000L;
        long heldSince = -1;
        int n = 0;
        while (true) {
            for (Member p : publishers) {
                byte[] body = ("from " + p.name + ";" + n).getBytes(StandardCharsets.US_ASCII);
                p.media.sendAudio(body, p.name.equals(SPEAKER) ? 10 : 120);
                p.media.sendVideoFrame(body);
            }
            n++;
            Map<String, Set<String>> got = new TreeMap<>();
            expected.keySet().forEach(r -> got.put(r.name, r.videosNow()));
            boolean holds = expected.entrySet().stream().allMatch(e -> e.getKey().videosNow().equals(e.getValue()));
            long now = System.nanoTime();
            if (!holds) {
                heldSince = -1;
            } else if (heldSince < 0) {
                heldSince = now;
            } else if (now - heldSince > 2 * WINDOW_NANOS) {
                return;
            }
            assertTrue(now < deadline, what + ": receivers got " + got + "; failures " + failures());
            Thread.sleep(20);
        }
    }

    @Test
    @Timeout(120)
    void aReceiversOwnLastNOneGivesItOnlyTheSpeakerWhileAnotherKeepsAllAndNullRestores() throws Exception {
        relay = new RelayServer(new RelayConfig("127.0.0.1", 0, 0), new SimpleMeterRegistry(), Clock.systemUTC());
        relay.start();
        server = new TestServer("", Optional.of(relay.control()));
        Member first = new Member(PUBLISHERS.get(0), Optional.empty());
        String invite = first.signaling.request("room.invite_link", "roomId", ROOM).get("invite").asText();
        List<Member> publishers = new ArrayList<>(List.of(first));
        for (String name : PUBLISHERS.subList(1, PUBLISHERS.size())) {
            publishers.add(new Member(name, Optional.of(invite)));
        }
        Member narrow = new Member("narrow", Optional.of(invite));
        Member wide = new Member("wide", Optional.of(invite));
        Set<String> all = new TreeSet<>(PUBLISHERS);

        sendUntil(publishers, Map.of(narrow, all, wide, all), "before any constraints everyone gets all four");

        narrow.signaling.request("media.constraints", "roomId", ROOM, "lastN", 1);
        sendUntil(publishers, Map.of(narrow, Set.of(SPEAKER), wide, all),
                "lastN 1: narrow gets only the speaker, wide still all four");

        // lastN left out (null): the relay's default (unlimited here) again
        narrow.signaling.request("media.constraints", "roomId", ROOM);
        sendUntil(publishers, Map.of(narrow, all, wide, all), "lastN null: narrow gets all four again");
        assertEquals(List.of(), failures());
    }
}
