package org.parley.turn.stun;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.HexFormat;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class StunMessageTest {
    /** RFC 5769 §2.1 sample request (short-term credential: the key is the password). */
    static final byte[] RFC5769_REQUEST = HexFormat.of().parseHex(
            "000100582112a442b7e7a701bc34d686fa87dfae802200105354554e207465737420636c69656e74"
                    + "002400046e0001ff80290008932ff9b151263b36000600096576746a3a68367659202020"
                    + "000800149aeaa70cbfd8cb56781ef2b5b2d3f249c1b571a280280004e57a3bcf");
    /** RFC 5769 §2.2 sample IPv4 response: XOR-MAPPED-ADDRESS 192.0.2.1:32853. */
    static final byte[] RFC5769_RESPONSE = HexFormat.of().parseHex(
            "0101003c2112a442b7e7a701bc34d686fa87dfae8022000b7465737420766563746f7220"
                    + "002000080001a147e112a64300080014"
                    + "2b91f599fd9e90c38c7489f92af9ba53f06be7d780280004c07d4c96");
    static final byte[] RFC5769_PASSWORD = "VOkJxbRl1RmTxUk/WvJxBt".getBytes(StandardCharsets.UTF_8);

    @Test
    void parsesAndVerifiesTheRfc5769SampleRequest() throws Exception {
        StunMessage m = StunMessage.parse(RFC5769_REQUEST);
        assertEquals(StunMethod.BINDING, m.method());
        assertEquals(StunClass.REQUEST, m.stunClass());
        assertEquals("evtj:h6vY", m.string(StunAttribute.USERNAME));
        assertEquals("STUN test client", m.string(StunAttribute.SOFTWARE));
        assertTrue(MessageIntegrity.fingerprintMatches(m));
        assertTrue(MessageIntegrity.verify(m, RFC5769_PASSWORD));
        assertFalse(MessageIntegrity.verify(m, "wrong".getBytes(StandardCharsets.UTF_8)));
    }

    @Test
    void decodesTheRfc5769SampleResponse() throws Exception {
        StunMessage m = StunMessage.parse(RFC5769_RESPONSE);
        assertEquals(StunClass.SUCCESS_RESPONSE, m.stunClass());
        assertEquals(new InetSocketAddress("192.0.2.1", 32853), m.xorAddressOf(StunAttribute.XOR_MAPPED_ADDRESS));
        assertTrue(MessageIntegrity.verify(m, RFC5769_PASSWORD));
        assertTrue(MessageIntegrity.fingerprintMatches(m));
    }

    @Test
    void aFlippedBitBreaksTheFingerprint() throws Exception {
        byte[] copy = RFC5769_REQUEST.clone();
        copy[30] ^= 1;
        StunMessage m = StunMessage.parse(copy);
        assertFalse(MessageIntegrity.fingerprintMatches(m));
        assertFalse(MessageIntegrity.verify(m, RFC5769_PASSWORD));
    }

    @ParameterizedTest
    @CsvSource({"false", "true"})
    void writtenMessagesRoundTripWithIntegrityAndFingerprint(boolean sha256) throws Exception {
        byte[] key = "key".getBytes(StandardCharsets.UTF_8);
        byte[] txid = new byte[12];
        txid[0] = 7;
        InetSocketAddress v6 = new InetSocketAddress("2001:db8::1", 4000);
        InetSocketAddress v4 = new InetSocketAddress("198.51.100.7", 50000);
        ByteBuf out = Unpooled.buffer();
        StunMessageWriter.start(out, StunMethod.ALLOCATE, StunClass.SUCCESS_RESPONSE, txid)
                .xorAddress(StunAttribute.XOR_RELAYED_ADDRESS, v6)
                .xorAddress(StunAttribute.XOR_MAPPED_ADDRESS, v4)
                .uint32(StunAttribute.LIFETIME, 777)
                .string(StunAttribute.SOFTWARE, "odd length")
                .integrity(key, sha256)
                .finishWithFingerprint();
        StunMessage m = StunMessage.parse(out);
        out.release();
        assertEquals(StunMethod.ALLOCATE, m.method());
        assertEquals(StunClass.SUCCESS_RESPONSE, m.stunClass());
        assertArrayEquals(txid, m.transactionId());
        assertEquals(v6, m.xorAddressOf(StunAttribute.XOR_RELAYED_ADDRESS));
        assertEquals(v4, m.xorAddressOf(StunAttribute.XOR_MAPPED_ADDRESS));
        assertEquals(777, m.uint32(StunAttribute.LIFETIME, -1));
        assertEquals("odd length", m.string(StunAttribute.SOFTWARE));
        assertTrue(MessageIntegrity.fingerprintMatches(m));
        assertTrue(MessageIntegrity.verify(m, key));
        assertEquals(sha256, MessageIntegrity.usesSha256(m));
    }

    @ParameterizedTest
    @CsvSource({
        "1, REQUEST, 0x0001", "1, SUCCESS_RESPONSE, 0x0101", "1, ERROR_RESPONSE, 0x0111",
        "3, REQUEST, 0x0003", "3, ERROR_RESPONSE, 0x0113", "6, INDICATION, 0x0016", "7, INDICATION, 0x0017",
        "9, SUCCESS_RESPONSE, 0x0109", "12, INDICATION, 0x001C"
    })
    void messageTypeInterleavesMethodAndClass(int method, StunClass cls, String type) {
        int expected = Integer.decode(type);
        assertEquals(expected, cls.messageType(method));
        assertEquals(method, StunClass.methodOf(expected));
        assertEquals(cls, StunClass.of(expected));
    }

    @Test
    void rejectsMalformedHeadersAndAttributes() {
        byte[] noCookie = RFC5769_REQUEST.clone();
        noCookie[4] = 0;
        assertThrows(StunParseException.class, () -> StunMessage.parse(noCookie));
        byte[] badLength = RFC5769_REQUEST.clone();
        badLength[3] = 0x54; // 4 bytes short of the real body
        assertThrows(StunParseException.class, () -> StunMessage.parse(badLength));
        byte[] overrun = RFC5769_REQUEST.clone();
        overrun[20 + 3] = (byte) 0xF0; // SOFTWARE claims 240 bytes
        assertThrows(StunParseException.class, () -> StunMessage.parse(overrun));
        assertThrows(StunParseException.class, () -> StunMessage.parse(new byte[19]));
        byte[] topBits = RFC5769_REQUEST.clone();
        topBits[0] = (byte) 0x80;
        assertThrows(StunParseException.class, () -> StunMessage.parse(topBits));
    }

    @Test
    void errorCodeCarriesClassNumberAndReason() throws Exception {
        ByteBuf out = Unpooled.buffer();
        StunMessageWriter.start(out, StunMethod.ALLOCATE, StunClass.ERROR_RESPONSE, new byte[12])
                .errorCode(ErrorCode.STALE_NONCE).finishWithFingerprint();
        StunMessage m = StunMessage.parse(out);
        out.release();
        byte[] v = m.value(StunAttribute.ERROR_CODE);
        assertEquals(4, v[2]);
        assertEquals(38, v[3]);
        assertEquals("Stale Nonce", new String(v, 4, v.length - 4, StandardCharsets.UTF_8));
    }
}
