package org.parley.relay.rtp;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.parley.relay.control.RelayException;
import org.parley.relay.control.SourceKind;
import org.parley.relay.sdp.LocalTransport;
import org.parley.relay.sdp.RelayCodec;
import org.parley.relay.sdp.SdpAnswerer;
import org.parley.relay.sdp.SubscriberAnswer;

/**
 * Bounded fuzzing of everything that reads bytes or text from the network: random input and
 * mutations of real packets and a real Chromium offer. Parsers may refuse (false, -1, a
 * RelayException with BAD_SDP) but must never throw anything else or read out of bounds.
 */
class PacketParsersFuzzTest {

    private static final int ROUNDS = 20_000;

    @Test
    void rtpAndRtcpReadersNeverThrow() {
        Random r = new Random(42);
        byte[] realRtp = {(byte) 0x90, 96, 0x12, 0x34, 0, 0, 0x0b, (byte) 0xb8, 1, 2, 3, 4, (byte) 0xBE, (byte) 0xDE,
            0, 1, 0x31, 0x01, 0x02, 0x00, 0x10, 0x00, 0x55, 0x66};
        byte[] realRtcp = new byte[64];
        int n = RtcpPacket.writeNack(realRtcp, 0, 1, 2, 100, 0x0f0f);
        n += RtcpPacket.writePli(realRtcp, n, 1, 2);
        n += RtcpPacket.writeRemb(realRtcp, n, 1, 1_500_000, new long[] {2, 3});
        byte[] map = new byte[16];
        map[3] = 5;
        for (int i = 0; i < ROUNDS; i++) {
            byte[] b = i % 3 == 0 ? random(r) : mutate(r, i % 3 == 1 ? realRtp : java.util.Arrays.copyOf(realRtcp, n));
            int len = b.length;
            PacketKind.of(b, 0, len);
            if (RtpPacket.isValid(b, 0, len)) {
                int header = RtpPacket.headerLength(b, 0, len);
                int payload = RtpPacket.payloadLength(b, 0, len);
                assertTrue(header <= len && payload >= 0, "valid packets have sane lengths");
                RtpPacket.findExtension(b, 0, len, 1 + r.nextInt(14));
                RtpPacket.mapExtensionIds(b, 0, len, map);
                for (RelayCodec c : RelayCodec.values()) {
                    KeyframeDetector.isKeyframeStart(c, b, header, payload);
                }
            }
            if (RtcpPacket.isValidCompound(b, 0, len)) {
                for (int at = 0; at < len; at += RtcpPacket.length(b, at)) {
                    RtcpPacket.type(b, at);
                    if (RtcpPacket.length(b, at) >= 20 && RtcpPacket.isRemb(b, at, RtcpPacket.length(b, at))) {
                        RtcpPacket.rembBitrate(b, at);
                    }
                }
            }
        }
    }

    @Test
    void twccRecorderSurvivesArbitrarySequences() {
        Random r = new Random(3);
        TwccRecorder t = new TwccRecorder();
        byte[] out = new byte[1500];
        long now = 0;
        for (int i = 0; i < ROUNDS; i++) {
            now += r.nextInt(3) == 0 ? r.nextInt(2_000_000) : r.nextInt(5000);
            t.record(r.nextInt(4) == 0 ? r.nextInt(0x10000) : i & 0xFFFF, now);
            if (i % 7 == 0) {
                int len = t.writeFeedback(out, 0, 1, 2);
                assertTrue(len == 0 || RtcpPacket.isValidCompound(out, 0, len), "feedback is well-formed");
            }
        }
    }

    @Test
    void sdpReadersRefuseOnlyWithTypedErrors() throws Exception {
        String offer;
        try (InputStream in = getClass().getResourceAsStream("/sdp/chrome-publisher-offer.sdp")) {
            offer = new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
        LocalTransport local = new LocalTransport("ufrag", "password-password-pass", "AB:CD",
                java.util.List.of("candidate:1 1 udp 2130706431 127.0.0.1 10000 typ host generation 0"));
        Random r = new Random(11);
        int accepted = 0;
        for (int i = 0; i < 1000; i++) {
            String text = mutateText(r, offer);
            try {
                SdpAnswerer.answer(text, local, mid -> (SourceKind) null, 1);
                accepted++;
            } catch (RelayException e) {
                assertTrue(e.reason() == RelayException.Reason.BAD_SDP, "only BAD_SDP refusals");
            }
            try {
                SubscriberAnswer.parse(text);
            } catch (RelayException e) {
                assertTrue(e.reason() == RelayException.Reason.BAD_SDP);
            }
        }
        assertTrue(accepted > 0, "lightly mutated offers are still answered");
    }

    private static byte[] random(Random r) {
        byte[] b = new byte[r.nextInt(200)];
        r.nextBytes(b);
        if (b.length > 0 && r.nextBoolean()) {
            b[0] = (byte) (0x80 | (b[0] & 0x3f));
        }
        return b;
    }

    private static byte[] mutate(Random r, byte[] real) {
        byte[] b = java.util.Arrays.copyOf(real, r.nextInt(5) == 0 ? r.nextInt(real.length + 8) : real.length);
        for (int k = 0; k < 1 + r.nextInt(3) && b.length > 0; k++) {
            b[r.nextInt(b.length)] = (byte) r.nextInt(256);
        }
        return b;
    }

    private static String mutateText(Random r, String s) {
        StringBuilder sb = new StringBuilder(s);
        int edits = r.nextInt(4);
        for (int k = 0; k < edits && sb.length() > 0; k++) {
            int at = r.nextInt(sb.length());
            switch (r.nextInt(3)) {
                case 0 -> sb.deleteCharAt(at);
                case 1 -> sb.insert(at, (char) (32 + r.nextInt(95)));
                default -> sb.setCharAt(at, (char) (r.nextInt(2) == 0 ? '\n' : ' '));
            }
        }
        return sb.toString();
    }
}
