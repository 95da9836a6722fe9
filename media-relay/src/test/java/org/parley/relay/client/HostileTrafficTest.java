package org.parley.relay.client;

import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.parley.relay.RelayMetrics;
import org.parley.relay.RelayMetrics.Drop;
import org.parley.relay.rtp.RtpPacket;
import org.parley.relay.transport.PacketBuffer;
import org.parley.relay.transport.PeerTransport;

/**
 * Malformed and hostile datagrams on an established connection are dropped and counted by
 * reason, and the relay goes on forwarding the real media.
 */
class HostileTrafficTest {

    @Test
    @Timeout(60)
    void hostilePacketsAreDroppedCountedAndForwardingContinues() throws Exception {
        try (RelayHarness h = new RelayHarness()) {
            RelayTestClient alice = h.join("alice", true);
            RelayTestClient bob = h.join("bob", false);
            h.await(() -> alice.isPublisherConnected() && bob.isSubscriberConnected(), 15_000,
                    "clients did not connect");
            // The client's side of DTLS can finish before the relay's (the relay is the DTLS client
            // on a publisher connection and holds its SRTP keys only once the publisher's last
            // flight arrives); until then everything would be dropped as not_connected. A real
            // packet forwarded to bob shows the relay's side is up.
            ReceivedPacket first = null;
            for (int i = 0; i < 20 && first == null; i++) {
                alice.sendAudio(("ready " + i).getBytes(StandardCharsets.US_ASCII), 50);
                first = bob.poll(500);
            }
            assertNotNull(first, "the relay forwards alice's audio before the hostile traffic");
            RelayMetrics m = h.relay().metrics();
            PeerTransport wire = alice.publisherTransport();

            // Truncated RTP: a version-2 header cut short.
            wire.sendRaw(new byte[] {(byte) 0x80, 0x60, 0x00, 0x01, 0x00}, 0, 5);
            // A first byte RFC 7983 gives to no protocol.
            wire.sendRaw(new byte[] {(byte) 0xFF, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12}, 0, 13);
            // DTLS garbage after the handshake: a record header with nonsense.
            wire.sendRaw(new byte[] {23, (byte) 0xFE, (byte) 0xFD, 0, 9, 9, 9, 9, 9, 9, 9, 9, 0, 1, 0x42}, 0, 15);

            // Bad SRTP authentication: a correctly protected packet with one bit flipped.
            byte[] tampered = protect(wire, 0x11223344L, 100);
            tampered[tampered.length - 1] ^= 0x01;
            wire.sendRaw(tampered, 0, tampered.length);
            // Replay: the same protected packet again (three copies: on a loaded machine a datagram
            // can be lost on loopback, and any two that arrive make a replay).
            byte[] replayed = protect(wire, 0x55667788L, 200);
            for (int i = 0; i < 3; i++) {
                wire.sendRaw(replayed, 0, replayed.length);
            }
            // Authentic, but from an SSRC nobody announced.
            byte[] unknown = protect(wire, 0x0BADF00DL, 300);
            wire.sendRaw(unknown, 0, unknown.length);

            // Bounded fuzz on the live connection: random bytes and mutations of real packets.
            Random random = new Random(7);
            for (int i = 0; i < 500; i++) {
                byte[] b = i % 2 == 0 ? randomBytes(random) : mutate(random, protect(wire, 0x99990000L + i, i));
                wire.sendRaw(b, 0, b.length);
            }

            h.await(() -> m.dropped(Drop.MALFORMED) >= 1 && m.dropped(Drop.UNKNOWN_KIND) >= 1
                    && m.dropped(Drop.SRTP_AUTH) >= 1 && m.dropped(Drop.SRTP_REPLAY) >= 1
                    && m.dropped(Drop.UNKNOWN_SSRC) >= 1, 15_000,
                    "drops not counted: malformed=" + m.dropped(Drop.MALFORMED) + " unknownKind="
                            + m.dropped(Drop.UNKNOWN_KIND) + " auth=" + m.dropped(Drop.SRTP_AUTH) + " replay="
                            + m.dropped(Drop.SRTP_REPLAY) + " unknownSsrc=" + m.dropped(Drop.UNKNOWN_SSRC));
            assertTrue(m.srtpFailures.count() >= 2);

            // The relay still forwards the real stream.
            for (int i = 0; i < 5; i++) {
                alice.sendAudio(("still here " + i).getBytes(StandardCharsets.US_ASCII), 50);
            }
            ReceivedPacket p = bob.poll(3000);
            while (p != null && new String(p.payload(), StandardCharsets.US_ASCII).startsWith("ready")) {
                p = bob.poll(3000); // late copies of the readiness packets
            }
            assertNotNull(p, "forwarding stopped after hostile input");
            assertTrue(new String(p.payload(), StandardCharsets.US_ASCII).startsWith("still here"));
        }
    }

    private static byte[] protect(PeerTransport wire, long ssrc, int seq) {
        PacketBuffer p = PacketBuffer.allocate();
        byte[] b = p.getBuffer();
        b[0] = (byte) 0x80;
        b[1] = 111;
        RtpPacket.setSequence(b, 0, seq);
        RtpPacket.setTimestamp(b, 0, seq * 960L);
        RtpPacket.setSsrc(b, 0, ssrc);
        for (int i = 12; i < 40; i++) {
            b[i] = (byte) i;
        }
        p.setLength(40);
        assertTrue(wire.srtp().protectRtp(p));
        byte[] out = new byte[p.getLength()];
        System.arraycopy(p.getBuffer(), p.getOffset(), out, 0, out.length);
        return out;
    }

    private static byte[] randomBytes(Random r) {
        byte[] b = new byte[1 + r.nextInt(300)];
        r.nextBytes(b);
        return b;
    }

    private static byte[] mutate(Random r, byte[] b) {
        byte[] out = java.util.Arrays.copyOf(b, r.nextInt(4) == 0 ? r.nextInt(b.length) + 1 : b.length);
        for (int k = 0; k < 1 + r.nextInt(4); k++) {
            out[r.nextInt(out.length)] ^= (byte) (1 << r.nextInt(8));
        }
        return out;
    }
}
