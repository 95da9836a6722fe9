package org.parley.relay.client;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.parley.relay.RelayConfig;
import org.parley.relay.client.e2ee.FrameDecryptor;
import org.parley.relay.client.e2ee.FrameEncryptor;
import org.parley.relay.client.e2ee.SenderKey;
import org.parley.relay.client.e2ee.SframeHeader;
import org.parley.relay.debug.FrameCapture;

/**
 * The relay forwards end-to-end encrypted media it cannot read (docs/e2ee.md): it still finds
 * keyframes in the clear VP8 prefix, so a subscriber that arrives mid-stream starts at one (the
 * relay's PLI got one from the sender); and what the capture-frames hook shows of the forwarded
 * frames is the ciphertext (clear prefix, then an SFrame header with the sender's KID), while a
 * sender without E2EE is captured exactly as sent.
 */
class RelayBlindToE2eeTest {

    private static final Clock CLOCK = Clock.systemUTC();

    private static byte[] payload(String who, int n) {
        byte[] b = new byte[200];
        Arrays.fill(b, (byte) n);
        byte[] text = (who + " " + n + " ").getBytes(StandardCharsets.US_ASCII);
        System.arraycopy(text, 0, b, 0, text.length);
        return b;
    }

    /** The VP8 frame RelayTestClient makes of a payload: the frame tag (P bit), then the payload. */
    private static byte[] vp8(byte[] payload, boolean key) {
        byte[] f = new byte[payload.length + 1];
        f[0] = (byte) (key ? 0 : 1);
        System.arraycopy(payload, 0, f, 1, payload.length);
        return f;
    }

    /** Alice's video frames (encrypted, so not dave's readable ones) that reached {@code c}. */
    private static void takeAliceVideo(RelayTestClient c, List<byte[]> into) throws InterruptedException {
        ReceivedPacket r;
        while ((r = c.poll(10)) != null) {
            if (r.kind() == MediaKind.VIDEO && !new String(r.frame(), 1, 4, StandardCharsets.US_ASCII).equals("dave")) {
                into.add(r.frame());
            }
        }
    }

    @Test
    @Timeout(90)
    void keyframesAreFoundInEncryptedVideoAndTheCaptureIsCiphertextButClearMediaIsCapturedAsSent() throws Exception {
        try (RelayHarness h = new RelayHarness(new RelayConfig("127.0.0.1", 0, 0).withCaptureFrames(200))) {
            FrameCapture capture = h.relay().frameCapture();
            assertNotNull(capture, "the hook is on");
            SenderKey key = FrameEncryptor.newKey();
            FrameEncryptor encryptor = new FrameEncryptor(CLOCK);
            encryptor.use(key);
            RelayTestClient alice = h.join("alice", true);
            alice.transformOutgoing(encryptor);
            RelayTestClient dave = h.join("dave", true); // sends in the clear
            RelayTestClient bob = h.join("bob", false);
            h.await(() -> alice.isPublisherConnected() && dave.isPublisherConnected() && bob.isSubscriberConnected(),
                    20_000, "clients did not connect");

            Set<String> sentVideo = new HashSet<>();
            Set<String> sentAudio = new HashSet<>();
            List<byte[]> bobVideo = new ArrayList<>();
            List<byte[]> carolVideo = new ArrayList<>();
            RelayTestClient carol = null;
            int plisBefore = 0;
            long deadline = System.nanoTime() + 45_000_000_000L;
            int n = 0;
            FrameDecryptor bobKeys = new FrameDecryptor(CLOCK);
            bobKeys.add("alice", key.kid(), key.baseKey());
            // Alice streams to bob. Then carol subscribes mid-stream, among delta frames: she must
            // start at a keyframe, which the relay asks alice for (PLI) and finds in the clear prefix.
            while (carolVideo.size() < 10) {
                assertTrue(System.nanoTime() < deadline, "bob got " + bobVideo.size() + ", carol "
                        + carolVideo.size() + " video frames of alice");
                if (carol == null && bobVideo.size() >= 20) {
                    plisBefore = alice.plisReceived();
                    carol = h.join("carol", false);
                }
                byte[] p = payload("alice", n);
                byte[] audio = payload("audio", n);
                audio[0] = 0x78;
                sentVideo.add(Arrays.toString(p));
                sentAudio.add(Arrays.toString(audio));
                alice.sendVideoFrame(p);
                alice.sendAudio(audio, 30);
                dave.sendVideoFrame(payload("dave", n));
                dave.sendAudio(payload("dave audio", n), 30);
                if (n > 0 && n % 100 == 0) {
                    alice.requestKeyframe(); // the periodic keyframe of an encoder
                }
                n++;
                h.ferry();
                takeAliceVideo(bob, bobVideo);
                if (carol != null) {
                    takeAliceVideo(carol, carolVideo);
                }
            }
            assertTrue(alice.plisReceived() > plisBefore, "the relay asked alice for a keyframe for carol");
            assertEquals(0, carolVideo.get(0)[0] & 0x01, "carol's first frame of alice is a keyframe (P bit clear)");
            assertEquals(0, bobVideo.get(0)[0] & 0x01, "so was bob's");
            bobVideo.addAll(carolVideo);
            int keyframes = 0;
            for (byte[] f : bobVideo) {
                byte[] opened = bobKeys.open(MediaKind.VIDEO, f);
                assertNotNull(opened, "bob opens what the relay forwarded");
                assertTrue(sentVideo.contains(Arrays.toString(Arrays.copyOfRange(opened, 1, opened.length))));
                keyframes += (opened[0] & 0x01) == 0 ? 1 : 0;
            }
            assertTrue(keyframes >= 1, "keyframes arrived");

            // What the relay forwarded of alice: ciphertext after the clear prefix, under her KID.
            List<FrameCapture.Frame> aliceVideo = capture.frames(alice.videoSsrc());
            assertFalse(aliceVideo.isEmpty(), "alice's video was captured");
            boolean capturedKeyframe = false;
            FrameDecryptor check = new FrameDecryptor(CLOCK);
            check.add("alice", key.kid(), key.baseKey());
            for (FrameCapture.Frame f : aliceVideo) {
                boolean keyframe = (f.data()[0] & 0x01) == 0;
                int clear = keyframe ? 10 : 3;
                assertEquals(keyframe, f.keyframe(), "the relay's keyframe detection agrees with the frame tag");
                capturedKeyframe |= keyframe;
                SframeHeader header = SframeHeader.decode(f.data(), clear, f.data().length - clear);
                assertEquals(key.kid(), header.kid(), "an SFrame header with alice's KID follows the clear prefix");
                byte[] plain = check.open(MediaKind.VIDEO, f.data());
                assertNotNull(plain, "the captured frame is alice's ciphertext, whole");
                assertArrayEquals(Arrays.copyOf(plain, clear), Arrays.copyOf(f.data(), clear), "clear prefix");
                assertFalse(Arrays.equals(Arrays.copyOfRange(plain, clear, plain.length),
                        Arrays.copyOfRange(f.data(), clear, plain.length)), "the rest is not the plaintext");
                assertTrue(sentVideo.contains(Arrays.toString(Arrays.copyOfRange(plain, 1, plain.length))));
            }
            assertTrue(capturedKeyframe, "a keyframe was among the captured frames");
            for (FrameCapture.Frame f : capture.frames(alice.audioSsrc())) {
                assertEquals(0x78, f.data()[0] & 0xff, "the Opus TOC byte stays in clear");
                assertEquals(key.kid(), SframeHeader.decode(f.data(), 1, f.data().length - 1).kid());
                byte[] plain = check.open(MediaKind.AUDIO, f.data());
                assertTrue(sentAudio.contains(Arrays.toString(plain)));
                assertFalse(Arrays.equals(plain, Arrays.copyOf(f.data(), plain.length)));
            }

            // Dave did not encrypt: the relay captured his frames exactly as he sent them.
            List<FrameCapture.Frame> daveVideo = capture.frames(dave.videoSsrc());
            assertFalse(daveVideo.isEmpty(), "dave's video was captured");
            for (FrameCapture.Frame f : daveVideo) {
                String text = new String(f.data(), 1, 20, StandardCharsets.US_ASCII);
                int i = Integer.parseInt(text.split(" ")[1]);
                assertArrayEquals(vp8(payload("dave", i), f.keyframe()), f.data(), "dave's frame " + i + " as sent");
            }
            for (FrameCapture.Frame f : capture.frames(dave.audioSsrc())) {
                int i = Integer.parseInt(new String(f.data(), 0, 20, StandardCharsets.US_ASCII).split(" ")[2]);
                assertArrayEquals(payload("dave audio", i), f.data());
            }
            String json = new String(capture.json(alice.videoSsrc()), StandardCharsets.UTF_8);
            assertTrue(json.contains("\"ssrc\":" + alice.videoSsrc()) && !json.contains("\"ssrc\":" + dave.videoSsrc()),
                    json.substring(0, Math.min(200, json.length())));
        }
    }
}
