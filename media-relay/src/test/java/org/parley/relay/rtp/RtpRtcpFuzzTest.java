package org.parley.relay.rtp;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.code_intelligence.jazzer.junit.FuzzTest;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.parley.relay.sdp.RelayCodec;

/**
 * Coverage-guided fuzzing of the RTP and RTCP readers (docs/fuzzing.md), reading a datagram the
 * way the receive path does: classify it (RFC 7983), check it, then walk it as the publisher and
 * subscriber sides do. Seeds in {@code RtpRtcpFuzzTestInputs/receive}: Chrome-shaped Opus and VP8
 * packets with one-byte header extensions, and RTCP compounds (SR+SDES, RR+REMB, NACK, PLI, FIR,
 * TWCC).
 *
 * <p>The contract: no reader throws (a malformed packet is refused with false or -1); every
 * accessor of a packet that passed the checks stays inside it; a rewritten header reads back as
 * written; and a REMB bitrate survives parse, write, parse.
 */
class RtpRtcpFuzzTest {

    @FuzzTest(maxDuration = "20s")
    void receive(byte[] input) {
        byte[] b = input.clone();
        int len = b.length;
        PacketKind kind = PacketKind.of(b, 0, len);
        if (kind == PacketKind.RTP && RtpPacket.isValid(b, 0, len)) {
            readRtp(b, len);
        }
        if (kind == PacketKind.RTCP && RtcpPacket.isValidCompound(b, 0, len)) {
            readRtcp(b, len);
        }
    }

    private static void readRtp(byte[] b, int len) {
        int header = RtpPacket.headerLength(b, 0, len);
        int payload = RtpPacket.payloadLength(b, 0, len);
        assertTrue(header >= 12 && header <= len, "header inside the packet");
        assertTrue(payload >= 0 && header + payload <= len, "payload inside the packet");
        for (int id = 1; id < 15; id++) {
            int at = RtpPacket.findExtension(b, 0, len, id);
            if (at >= 0) {
                int elementLength = (b[at - 1] & 0x0f) + 1;
                assertTrue(at >= 12 && at + elementLength <= header, "extension element inside the header");
            }
        }
        for (RelayCodec codec : RelayCodec.values()) {
            KeyframeDetector.isKeyframeStart(codec, b, header, payload);
        }
        // What the relay does to every forwarded packet: renumber extensions, rewrite the header.
        byte[] map = new byte[16];
        for (int id = 1; id < 15; id++) {
            map[id] = (byte) (id % 3 == 0 ? 0 : 15 - id);
        }
        RtpPacket.mapExtensionIds(b, 0, len, map);
        RtpPacket.setSequence(b, 0, 0xBEEF);
        RtpPacket.setTimestamp(b, 0, 0xCAFEF00DL);
        RtpPacket.setSsrc(b, 0, 0x12345678L);
        RtpPacket.setPayloadType(b, 0, 111);
        assertTrue(RtpPacket.isValid(b, 0, len), "a rewritten packet is still well-formed");
        assertEquals(header, RtpPacket.headerLength(b, 0, len), "rewriting keeps the header length");
        assertEquals(0xBEEF, RtpPacket.sequence(b, 0));
        assertEquals(0xCAFEF00DL, RtpPacket.timestamp(b, 0));
        assertEquals(0x12345678L, RtpPacket.ssrc(b, 0));
        assertEquals(111, RtpPacket.payloadType(b, 0));
    }

    private static void readRtcp(byte[] b, int len) {
        int parts = 0;
        for (int at = 0; at < len; at += RtcpPacket.length(b, at)) {
            int plen = RtcpPacket.length(b, at);
            assertTrue(plen >= 4 && at + plen <= len, "every part inside the compound");
            int type = RtcpPacket.type(b, at);
            int fmt = RtcpPacket.countOrFormat(b, at);
            if (plen >= 12) {
                RtcpPacket.senderSsrc(b, at);
                RtcpPacket.mediaSsrc(b, at);
            }
            if (type == RtcpPacket.PSFB && fmt == RtcpPacket.FMT_AFB && RtcpPacket.isRemb(b, at, plen)) {
                assertRembRoundTrip(RtcpPacket.rembBitrate(b, at));
            }
            parts++;
        }
        assertTrue(parts > 0);
    }

    /** Parse, write with the relay's REMB writer, parse again: the bitrate the relay acts on is kept. */
    private static void assertRembRoundTrip(long bitrate) {
        assertTrue(bitrate >= 0, "a REMB bitrate is never negative, read " + bitrate);
        byte[] out = new byte[24];
        int n = RtcpPacket.writeRemb(out, 0, 1, bitrate, new long[] {2});
        assertTrue(RtcpPacket.isValidCompound(out, 0, n));
        long again = RtcpPacket.rembBitrate(out, 0);
        if (bitrate == Long.MAX_VALUE) {
            assertTrue(again > 0 && again <= bitrate, "a saturated REMB stays the largest rate it can say");
        } else {
            assertEquals(bitrate, again, "REMB bitrate survives write and read");
        }
    }

    /**
     * Found by this fuzz target: a REMB with exponent 63 (6 bits, draft-alvestrand-rmcat-remb
     * section 2.2) read as a negative bitrate, the shift wrapping past 63 bits.
     */
    @Test
    void aRembWhoseExponentOverflowsReadsAsTheLargestRate() throws Exception {
        byte[] b = Files.readAllBytes(Path.of(getClass().getResource(
                "RtpRtcpFuzzTestInputs/receive/crash-remb-exponent-overflow").toURI()));
        assertTrue(RtcpPacket.isValidCompound(b, 0, b.length));
        int remb = RtcpPacket.length(b, 0);
        assertTrue(RtcpPacket.isRemb(b, remb, RtcpPacket.length(b, remb)));
        assertEquals(Long.MAX_VALUE, RtcpPacket.rembBitrate(b, remb));
    }

    @Test
    void everySeedIsAPacketTheRelayAccepts() throws Exception {
        try (Stream<Path> seeds = Files.list(Path.of(getClass().getResource("RtpRtcpFuzzTestInputs/receive").toURI()))) {
            for (Path seed : seeds.toList()) {
                byte[] b = Files.readAllBytes(seed);
                boolean ok = switch (PacketKind.of(b, 0, b.length)) {
                    case RTP -> RtpPacket.isValid(b, 0, b.length);
                    case RTCP -> RtcpPacket.isValidCompound(b, 0, b.length);
                    default -> false;
                };
                assertTrue(ok, seed + " is valid RTP or RTCP");
            }
        }
    }
}
