package org.parley.relay.client;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.parley.relay.control.RelayException;
import org.parley.relay.sdp.SessionDescription;

/**
 * ICE restart (RFC 8445 section 9) through the real relay: clients move to new sockets, as after
 * a network change, while media flows; DTLS and SRTP are kept, and the receiver sees every packet
 * with continuous sequence numbers.
 */
class IceRestartTest {

    private static final String CONF = RelayHarness.CONFERENCE;

    @Test
    @Timeout(60)
    void mediaContinuesWithoutLossAcrossRestartsOfBothConnections() throws Exception {
        try (RelayHarness h = new RelayHarness()) {
            RelayTestClient alice = h.join("alice", true);
            RelayTestClient bob = h.join("bob", true);
            h.await(() -> alice.isPublisherConnected() && bob.isSubscriberConnected()
                    && alice.isSubscriberConnected(), 15_000, "clients did not connect");
            String aliceUfragBefore = ufrag(h.control().answerPublisherOffer(CONF, "alice", alice.publisherOffer()));

            AtomicBoolean stop = new AtomicBoolean();
            AtomicInteger sent = new AtomicInteger();
            Thread sender = new Thread(() -> {
                while (!stop.get()) {
                    int i = sent.get();
                    alice.sendAudio(("audio " + i).getBytes(StandardCharsets.US_ASCII), 40);
                    alice.sendVideoFrame(("video " + i).getBytes(StandardCharsets.US_ASCII));
                    sent.incrementAndGet();
                    try {
                        Thread.sleep(10);
                    } catch (InterruptedException e) {
                        return;
                    }
                }
            }, "alice-media");
            sender.start();
            try {
                h.await(() -> sent.get() > 30, 5000, "alice did not start sending");

                // alice's network changed: a publisher offer with new credentials. The relay
                // answers with fresh ones and restarts her subscriber connection itself.
                String answer = h.control().answerPublisherOffer(CONF, "alice", alice.restartPublisherIce());
                String aliceUfragAfter = ufrag(answer);
                assertNotEquals(aliceUfragBefore, aliceUfragAfter, "the relay gives the restart fresh credentials");
                alice.acceptPublisherAnswer(answer);
                // And bob's, whose restarted subscriber connection carries alice's media.
                bob.acceptPublisherAnswer(h.control().answerPublisherOffer(CONF, "bob", bob.restartPublisherIce()));
                h.await(() -> !alice.isRestartingIce() && !bob.isRestartingIce(), 15_000,
                        "the restarted ICE sessions did not take over");
                int atRestart = sent.get();
                // Past the old sessions' grace period: from here on only the new paths exist.
                h.await(() -> sent.get() > atRestart + 150, 10_000, "alice stopped sending");
            } finally {
                stop.set(true);
                sender.join(5000);
            }
            int total = sent.get();

            Map<String, List<ReceivedPacket>> byKind = new HashMap<>();
            ReceivedPacket p;
            int received = 0;
            while (received < 2 * total && (p = bob.poll(3000)) != null) {
                String text = new String(p.payload(), StandardCharsets.US_ASCII);
                byKind.computeIfAbsent(text.startsWith("audio") ? "audio" : "video", k -> new ArrayList<>()).add(p);
                received++;
            }
            List<ReceivedPacket> audio = byKind.getOrDefault("audio", List.of());
            assertEquals(total, audio.size(), "every audio packet reaches bob across both restarts; drops "
                    + h.relay().metrics().dropsByReason() + ", received " + audio.stream()
                            .map(r -> new String(r.payload(), StandardCharsets.US_ASCII).substring(6)).toList());
            for (int i = 0; i < audio.size(); i++) {
                ReceivedPacket r = audio.get(i);
                assertEquals((audio.get(0).sequence() + i) & 0xFFFF, r.sequence(), "sequence numbers are continuous");
                assertEquals("audio " + i, new String(r.payload(), StandardCharsets.US_ASCII));
            }
            List<ReceivedPacket> video = byKind.getOrDefault("video", List.of());
            assertTrue(video.size() >= total - 1, "video keeps flowing: " + video.size() + " of " + total);
            for (int i = 1; i < video.size(); i++) {
                assertEquals((video.get(i - 1).sequence() + 1) & 0xFFFF, video.get(i).sequence(),
                        "video sequence numbers are continuous");
            }
            assertTrue(h.relay().metrics().dtlsFailures.count() == 0, "no DTLS handshake failed");
            assertEquals(4, h.relay().metrics().iceRestarts.count(), "both connections of both clients restarted");
        }
    }

    @Test
    @Timeout(60)
    void restartWithAnotherDtlsFingerprintIsRefusedAndChangesNothing() throws Exception {
        try (RelayHarness h = new RelayHarness()) {
            RelayTestClient alice = h.join("alice", true);
            RelayTestClient bob = h.join("bob", false);
            h.await(() -> alice.isPublisherConnected() && bob.isSubscriberConnected(), 15_000,
                    "clients did not connect");
            String offer = alice.restartPublisherIce();
            SessionDescription d = SessionDescription.parse(offer);
            String fingerprint = d.attribute(d.media().get(0), "fingerprint").split(" ")[1];
            String other = (fingerprint.charAt(0) == '0' ? "1" : "0") + fingerprint.substring(1);
            String forged = offer.replace(fingerprint, other);
            RelayException e = assertThrows(RelayException.class,
                    () -> h.control().answerPublisherOffer(CONF, "alice", forged));
            assertEquals(RelayException.Reason.WRONG_STATE, e.reason());

            // The old session still carries media.
            for (int i = 0; i < 20; i++) {
                alice.sendAudio(("audio " + i).getBytes(StandardCharsets.US_ASCII), 40);
                Thread.sleep(5);
            }
            int got = 0;
            while (got < 20 && bob.poll(3000) != null) {
                got++;
            }
            assertEquals(20, got, "media keeps flowing on the unchanged session");
        }
    }

    private static String ufrag(String sdp) {
        SessionDescription d = SessionDescription.parse(sdp);
        return d.attribute(d.media().get(0), "ice-ufrag");
    }
}
