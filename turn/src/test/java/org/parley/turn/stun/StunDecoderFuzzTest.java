package org.parley.turn.stun;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.code_intelligence.jazzer.junit.FuzzTest;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.PooledByteBufAllocator;
import io.netty.buffer.Unpooled;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * Coverage-guided fuzzing of the STUN/TURN decoder (docs/fuzzing.md). The seeds under
 * {@code StunDecoderFuzzTestInputs/decode} are real messages (a Chrome-shaped ICE binding request,
 * the RFC 5769 vectors, TURN Allocate, Send, CreatePermission, ChannelBind, an error response); a
 * crash Jazzer finds is added there and runs from then on as a regression input.
 *
 * <p>The contract: {@link StunMessage#parse} either returns a message or throws
 * {@link StunParseException}, never anything else; it neither consumes nor retains the buffer;
 * every accessor the server calls on a parsed message is safe; and a parsed message written back
 * with {@link StunMessageWriter} parses to the same type, transaction and attributes.
 */
class StunDecoderFuzzTest {

    private static final byte[] KEY = new byte[16];

    @FuzzTest(maxDuration = "20s")
    void decode(byte[] input) throws Exception {
        ByteBuf buf = PooledByteBufAllocator.DEFAULT.directBuffer(Math.max(1, input.length));
        buf.writeBytes(input);
        StunMessage message;
        try {
            message = StunMessage.parse(buf);
        } catch (StunParseException refused) {
            return;
        } finally {
            assertEquals(0, buf.readerIndex(), "parse must not consume its input");
            assertEquals(1, buf.refCnt(), "parse must not retain or release its input");
            buf.release();
        }
        readEverything(message);
        assertRoundTrip(message);
    }

    /** Calls every accessor the TURN handlers use; only typed parse errors may come out. */
    private static void readEverything(StunMessage m) {
        m.method();
        m.stunClass();
        m.transactionId();
        MessageIntegrity.fingerprintMatches(m);
        MessageIntegrity.verify(m, KEY);
        MessageIntegrity.usesSha256(m);
        for (int i = 0; i < m.attributeCount(); i++) {
            int type = m.attributeType(i);
            m.value(type);
            m.string(type);
            try {
                m.xorAddress(i);
            } catch (StunParseException notAnAddress) {
                // an attribute that is no XOR address says so in the typed error
            }
            try {
                m.utf8(type);
            } catch (StunParseException notUtf8) {
                // malformed UTF-8 is refused, not repaired
            }
            try {
                m.uint32(type, 0);
            } catch (StunParseException wrongLength) {
                // not a 32-bit attribute
            }
        }
    }

    /** Writes the attributes the parser kept back out and parses the result again. */
    private static void assertRoundTrip(StunMessage m) throws StunParseException {
        boolean integrity = m.integrityOffset() >= 0 || m.integritySha256Offset() >= 0;
        boolean sha256 = MessageIntegrity.usesSha256(m);
        int size = StunMessage.HEADER_LENGTH + (integrity ? (sha256 ? 36 : 24) : 0)
                + (m.fingerprintOffset() >= 0 ? 8 : 0);
        for (int i = 0; i < m.attributeCount(); i++) {
            size += 4 + ((m.valueLength(i) + 3) & ~3);
        }
        if (size > 65535 + StunMessage.HEADER_LENGTH) {
            return; // a longer integrity attribute than the original's would not fit the length field
        }
        ByteBuf out = Unpooled.buffer(size);
        try {
            StunMessageWriter w = StunMessageWriter.start(out, m.method(), m.stunClass(), m.transactionId());
            for (int i = 0; i < m.attributeCount(); i++) {
                w.bytes(m.attributeType(i), m.bytes(), m.valueOffset(i), m.valueLength(i));
            }
            if (integrity) {
                w.integrity(KEY, sha256);
            }
            if (m.fingerprintOffset() >= 0) {
                w.finishWithFingerprint();
            } else {
                w.finish();
            }
            StunMessage again = StunMessage.parse(out);
            assertEquals(m.messageType(), again.messageType(), "message type survives a round trip");
            assertArrayEquals(m.transactionId(), again.transactionId());
            assertEquals(m.attributeCount(), again.attributeCount(), "attribute count survives a round trip");
            for (int i = 0; i < m.attributeCount(); i++) {
                assertEquals(m.attributeType(i), again.attributeType(i));
                assertArrayEquals(java.util.Arrays.copyOfRange(m.bytes(), m.valueOffset(i), m.valueOffset(i) + m.valueLength(i)),
                        java.util.Arrays.copyOfRange(again.bytes(), again.valueOffset(i),
                                again.valueOffset(i) + again.valueLength(i)));
            }
            assertTrue(MessageIntegrity.fingerprintMatches(again), "our own FINGERPRINT matches");
            assertTrue(!integrity || MessageIntegrity.verify(again, KEY), "our own MESSAGE-INTEGRITY verifies");
        } finally {
            out.release();
        }
    }

    @Test
    void everySeedIsAMessageTheDecoderAccepts() throws Exception {
        try (Stream<Path> seeds = Files.list(Path.of(getClass().getResource("StunDecoderFuzzTestInputs/decode").toURI()))) {
            for (Path seed : seeds.toList()) {
                StunMessage m = StunMessage.parse(Files.readAllBytes(seed));
                assertTrue(MessageIntegrity.fingerprintMatches(m), seed + " has a valid FINGERPRINT or none");
            }
        }
    }
}
