package org.parley.signaling.e2e;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.parley.relay.RelayConfig;
import org.parley.relay.RelayServer;
import org.parley.relay.client.MediaKind;
import org.parley.relay.client.ReceivedPacket;
import org.parley.relay.client.RelayTestClient;
import org.parley.relay.client.e2ee.FrameDecryptor;
import org.parley.relay.client.e2ee.IdentityKeys;
import org.parley.signaling.TestServer;
import org.parley.signaling.client.E2eeRoomMember;
import org.parley.signaling.client.SignalingClient;

/**
 * Java clients in an end-to-end encrypted room, through the real signaling listener and the real
 * relay (ICE, DTLS, SRTP): they exchange sender keys with {@code e2ee.key}, each decrypts the
 * other's frames to exactly what was sent, and after a member leaves and the others rekey, that
 * member's old key opens none of the new frames (each counted as an AEAD failure).
 */
class E2eeMediaEndToEndTest {

    private static final Duration WAIT = Duration.ofSeconds(30);
    private static final String ROOM = "r-secret";

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

    /** One device: signaling, media through the relay, and its E2EE state; its events handled on a thread. */
    private final class Member implements AutoCloseable {
        final String name;
        final RoomDevice device;
        final SignalingClient signaling;
        final RelayTestClient media;
        final E2eeRoomMember e2ee;
        final String participantId;
        final List<ReceivedPacket> received = new CopyOnWriteArrayList<>();
        final List<byte[]> openedAudio = new CopyOnWriteArrayList<>();
        final List<byte[]> openedVideo = new CopyOnWriteArrayList<>();
        final List<String> failures;

        /** Joins with {@code invite}; without one, creates the room first (and owns it). */
        Member(String name, Optional<String> invite) throws Exception {
            this.name = name;
            device = new RoomDevice(server, ROOM, name);
            signaling = device.signaling;
            media = device.media;
            failures = device.failures;
            if (invite.isEmpty()) {
                signaling.request("room.create", "roomId", ROOM, "e2ee", true);
            }
            e2ee = new E2eeRoomMember(signaling, ROOM, IdentityKeys.generate(), Clock.systemUTC());
            List<Object> join = new ArrayList<>(List.of("roomId", ROOM, "e2ee", e2ee.joinField()));
            invite.ifPresent(i -> join.addAll(List.of("invite", i)));
            JsonNode joined = signaling.request("room.join", join.toArray());
            participantId = joined.get("participantId").asText();
            e2ee.joined(joined);
            media.transformOutgoing(e2ee.encryptor());
            device.start(e2ee::onEvent, this::onPacket);
            members.add(this);
        }

        private void onPacket(ReceivedPacket p) {
            received.add(p);
            byte[] f = e2ee.decryptor().open(p.kind(), p.frame());
            if (f != null) {
                (p.kind() == MediaKind.AUDIO ? openedAudio : openedVideo).add(f);
            }
        }

        /** The frames received so far that this member's keys opened on arrival. */
        List<byte[]> opened(MediaKind kind) {
            return kind == MediaKind.AUDIO ? openedAudio : openedVideo;
        }

        boolean holdsCurrentKeyOf(Member sender) {
            var key = sender.e2ee.encryptor().current();
            return key != null && e2ee.decryptor().has(key.kid());
        }

        @Override
        public void close() throws Exception {
            device.close();
        }
    }

    private static void await(String what, BooleanSupplier condition) throws InterruptedException {
        long deadline = System.nanoTime() + WAIT.toNanos();
        while (!condition.getAsBoolean()) {
            assertTrue(System.nanoTime() < deadline, "timed out waiting: " + what);
            Thread.sleep(20);
        }
    }

    /** A frame body that names its sender and a sequence number: what each receiver must get back. */
    private static byte[] body(String sender, int n, int size) {
        byte[] b = new byte[size];
        Arrays.fill(b, (byte) n);
        byte[] tag = (sender + ":" + n + ":").getBytes(java.nio.charset.StandardCharsets.US_ASCII);
        System.arraycopy(tag, 0, b, 1, tag.length);
        b[0] = 0x78; // an Opus TOC byte for audio; the video frame tag comes before it
        return b;
    }

    /**
     * {@code sender} sends numbered audio and video frames every 20 ms until each receiver has
     * opened the frame numbered {@code n} of both kinds (video only flows once a keyframe got
     * through). Returns the numbers sent.
     */
    private int exchange(Member sender, int from, List<Member> receivers) throws InterruptedException {
        long deadline = System.nanoTime() + WAIT.toNanos();
        int n = from;
        while (true) {
            sender.media.sendAudio(body(sender.name, n, 60), 30);
            sender.media.sendVideoFrame(body(sender.name, n, 300));
            if (n % 25 == 0) {
                sender.media.requestKeyframe();
            }
            final int last = n;
            if (receivers.stream().allMatch(r -> gotBoth(r, sender, last - 3))) {
                return n;
            }
            assertTrue(System.nanoTime() < deadline, "frames of " + sender.name + " did not get through");
            n++;
            Thread.sleep(20);
        }
    }

    private static boolean gotBoth(Member receiver, Member sender, int n) {
        return contains(receiver, MediaKind.AUDIO, body(sender.name, n, 60), false)
                && contains(receiver, MediaKind.VIDEO, body(sender.name, n, 300), true);
    }

    private static boolean contains(Member receiver, MediaKind kind, byte[] body, boolean video) {
        for (byte[] f : receiver.opened(kind)) {
            byte[] content = video ? Arrays.copyOfRange(f, 1, f.length) : f;
            if (Arrays.equals(content, body)) {
                return true;
            }
        }
        return false;
    }

    /** Every opened frame is exactly one that {@code senders} sent (VP8 frames after their frame tag). */
    private static void everyOpenedFrameWasSent(Member receiver) {
        for (MediaKind kind : MediaKind.values()) {
            for (byte[] f : receiver.opened(kind)) {
                byte[] content = kind == MediaKind.VIDEO ? Arrays.copyOfRange(f, 1, f.length) : f;
                if (kind == MediaKind.VIDEO) {
                    assertTrue(f[0] == 0 || f[0] == 1, "a VP8 frame tag");
                }
                String text = new String(content, 1, Math.min(20, content.length - 1),
                        java.nio.charset.StandardCharsets.US_ASCII);
                String[] parts = text.split(":");
                assertArrayEquals(body(parts[0], Integer.parseInt(parts[1]), content.length), content,
                        receiver.name + " opened a frame that was not sent: " + text);
            }
        }
    }

    @Test
    void membersDecryptEachOthersFramesAndALeaverTheNewOnesNot() throws Exception {
        relay = new RelayServer(new RelayConfig("127.0.0.1", 0, 0), new SimpleMeterRegistry(), Clock.systemUTC());
        relay.start();
        server = new TestServer("", Optional.of(relay.control()));
        Member alice = new Member("alice", Optional.empty());
        String invite = alice.signaling.request("room.invite_link", "roomId", ROOM).get("invite").asText();
        Member bob = new Member("bob", Optional.of(invite));
        await("keys exchanged", () -> bob.holdsCurrentKeyOf(alice) && alice.holdsCurrentKeyOf(bob));
        exchange(alice, 0, List.of(bob));
        exchange(bob, 0, List.of(alice));
        everyOpenedFrameWasSent(bob);
        everyOpenedFrameWasSent(alice);
        assertEquals(0, bob.e2ee.decryptor().failures() + alice.e2ee.decryptor().failures(),
                "no frame failed while both held each other's key");
        assertEquals(alice.e2ee.safetyCode(), bob.e2ee.safetyCode());

        // a third joins: everyone rekeys, and carol reads alice
        Member carol = new Member("carol", Optional.of(invite));
        await("keys after the join", () -> carol.holdsCurrentKeyOf(alice) && bob.holdsCurrentKeyOf(alice)
                && alice.holdsCurrentKeyOf(carol));
        int next = exchange(alice, 1000, List.of(bob, carol)) + 1;
        everyOpenedFrameWasSent(carol);
        assertEquals(alice.e2ee.safetyCode(), carol.e2ee.safetyCode());
        long carolKid = alice.e2ee.encryptor().current().kid();

        // carol leaves; alice makes a new key at once and bob gets it, carol does not
        carol.signaling.request("room.leave", "roomId", ROOM);
        await("alice rekeyed after the leave", () -> alice.e2ee.encryptor().current().kid() != carolKid
                && bob.holdsCurrentKeyOf(alice));
        int before = bob.received.size();
        exchange(alice, next + 1000, List.of(bob));
        List<ReceivedPacket> afterLeave = List.copyOf(bob.received.subList(before, bob.received.size()));
        FrameDecryptor carolKeys = carol.e2ee.decryptor();
        long carolOpened = carolKeys.decrypted();
        long carolFailures = carolKeys.failures();
        int newFrames = 0;
        for (ReceivedPacket p : afterLeave) {
            if (p.kind() != null && bob.e2ee.decryptor().open(p.kind(), p.frame()) != null) {
                newFrames++;
                assertNull(carolKeys.open(p.kind(), p.frame()), "carol opened a frame made after she left");
            }
        }
        assertTrue(newFrames > 2, "bob opened the new frames: " + newFrames);
        assertEquals(carolOpened, carolKeys.decrypted());
        assertEquals(carolFailures + newFrames, carolKeys.failures(), "each new frame counted as a failure for carol");
        for (Member m : List.of(alice, bob, carol)) {
            assertEquals(0, m.e2ee.keyErrors(), m.name + " key messages");
            assertTrue(m.failures.isEmpty(), m.failures::toString);
        }
    }
}
