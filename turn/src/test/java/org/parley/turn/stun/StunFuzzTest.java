package org.parley.turn.stun;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * Bounded fuzzing of the parser: random bytes and mutations of real messages either parse or raise
 * {@link StunParseException}; nothing else escapes, and the input buffer is never consumed.
 */
class StunFuzzTest {
    private static final int ROUNDS = 200_000;

    @Test
    void randomAndMutatedInputOnlyEverRaisesParseErrors() {
        Random random = new Random(8489);
        List<byte[]> seeds = List.of(StunMessageTest.RFC5769_REQUEST, StunMessageTest.RFC5769_RESPONSE,
                FuzzSeeds.allocateRequest(), FuzzSeeds.sendIndication(),
                FuzzSeeds.allocateRequestRfc8489("parley", "obMatJos2AAAB18f0.0123", true),
                FuzzSeeds.allocateRequestRfc8489("parley", "obMatJos2AAAB18f0.0123", false));
        int parsed = 0;
        for (int round = 0; round < ROUNDS; round++) {
            byte[] input = round % 4 == 0 ? randomBytes(random) : mutate(seeds.get(random.nextInt(seeds.size())), random);
            ByteBuf buf = Unpooled.wrappedBuffer(input);
            try {
                StunMessage m = StunMessage.parse(buf);
                parsed++;
                // Everything a parsed message offers must be safe to call.
                MessageIntegrity.fingerprintMatches(m);
                MessageIntegrity.verify(m, new byte[16]);
                for (int i = 0; i < m.attributeCount(); i++) {
                    try {
                        m.xorAddress(i);
                    } catch (StunParseException expected) {
                        // not an address attribute
                    }
                }
                m.string(StunAttribute.USERNAME);
                try {
                    m.uint32(StunAttribute.LIFETIME, 0);
                } catch (StunParseException expected) {
                    // wrong length
                }
            } catch (StunParseException expected) {
                // the only acceptable failure
            } finally {
                assertEquals(0, buf.readerIndex(), "parse must not consume its input");
                buf.release();
            }
        }
        assertTrue(parsed > ROUNDS / 100, "mutations should still produce some parseable messages, got " + parsed);
    }

    private static byte[] randomBytes(Random random) {
        byte[] b = new byte[random.nextInt(200)];
        random.nextBytes(b);
        if (b.length >= 8 && random.nextBoolean()) {
            // Give random input a valid-looking header so parsing goes deeper.
            b[0] &= 0x3F;
            b[2] = (byte) ((b.length - 20) >> 8);
            b[3] = (byte) (b.length - 20);
            b[4] = 0x21;
            b[5] = 0x12;
            b[6] = (byte) 0xA4;
            b[7] = 0x42;
        }
        return b;
    }

    static byte[] mutate(byte[] seed, Random random) {
        byte[] b = seed.clone();
        switch (random.nextInt(4)) {
            case 0 -> {
                int flips = 1 + random.nextInt(4);
                for (int i = 0; i < flips; i++) {
                    b[random.nextInt(b.length)] ^= (byte) (1 << random.nextInt(8));
                }
            }
            case 1 -> b = java.util.Arrays.copyOf(b, 1 + random.nextInt(b.length - 1));
            case 2 -> {
                // tamper with an attribute length field
                int at = 20 + 4 * random.nextInt(Math.max(1, (b.length - 20) / 4));
                if (at + 3 < b.length) {
                    b[at + 2] = (byte) random.nextInt(256);
                    b[at + 3] = (byte) random.nextInt(256);
                }
            }
            default -> {
                byte[] longer = java.util.Arrays.copyOf(b, b.length + 4 * random.nextInt(8));
                for (int i = b.length; i < longer.length; i++) {
                    longer[i] = (byte) random.nextInt(256);
                }
                b = longer;
            }
        }
        return b;
    }
}
