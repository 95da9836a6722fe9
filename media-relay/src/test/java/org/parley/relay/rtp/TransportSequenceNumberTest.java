package org.parley.relay.rtp;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/** Writing the relay's transport-wide sequence number into packets of every shape. */
class TransportSequenceNumberTest {

    private static final int ID = 3;

    private static byte[] packet(int payload) {
        byte[] b = new byte[1532];
        b[0] = (byte) 0x80;
        b[1] = 96;
        RtpPacket.setSequence(b, 0, 7);
        RtpPacket.setSsrc(b, 0, 0x1234);
        for (int i = 0; i < payload; i++) {
            b[12 + i] = (byte) (i + 1);
        }
        return b;
    }

    private static void assertPayload(byte[] b, int len, int payload) {
        int h = RtpPacket.headerLength(b, 0, len);
        assertEquals(payload, RtpPacket.payloadLength(b, 0, len));
        for (int i = 0; i < payload; i++) {
            assertEquals((byte) (i + 1), b[h + i], "payload byte " + i + " kept");
        }
    }

    @Test
    void addsABlockToAPacketWithoutExtensions() {
        byte[] b = packet(100);
        int len = TransportSequenceNumber.write(b, 0, 112, b.length, ID, 0xABCD);
        assertEquals(120, len);
        assertTrue(RtpPacket.isValid(b, 0, len));
        int at = RtpPacket.findExtension(b, 0, len, ID);
        assertEquals(0xABCD, RtpPacket.u16(b, at));
        assertPayload(b, len, 100);
    }

    @Test
    void overwritesTheForwardedElementInPlace() {
        byte[] b = packet(0);
        int len = TransportSequenceNumber.write(b, 0, 12, b.length, ID, 1);
        assertEquals(len, TransportSequenceNumber.write(b, 0, len, b.length, ID, 2));
        assertEquals(2, RtpPacket.u16(b, RtpPacket.findExtension(b, 0, len, ID)));
    }

    @Test
    void usesFreeBytesOfABlockOrGrowsItByAWord() {
        // A block of one word holding audio level (id 1, 1 byte): 2 bytes free, too few.
        byte[] b = packet(0);
        b[0] |= 0x10;
        RtpPacket.putShort(b, 12, RtpPacket.ONE_BYTE_PROFILE);
        RtpPacket.putShort(b, 14, 1);
        b[16] = 0x10;
        b[17] = 0x55;
        for (int i = 0; i < 50; i++) {
            b[20 + i] = (byte) (i + 1);
        }
        int len = TransportSequenceNumber.write(b, 0, 70, b.length, ID, 0x0102);
        assertEquals(74, len);
        assertEquals(0x55, b[RtpPacket.findExtension(b, 0, len, 1)]);
        assertEquals(0x0102, RtpPacket.u16(b, RtpPacket.findExtension(b, 0, len, ID)));
        assertPayload(b, len, 50);
        // With padding (RFC 3550): the padding moves with the payload.
        byte[] p = packet(0);
        p[0] |= 0x30;
        RtpPacket.putShort(p, 12, RtpPacket.ONE_BYTE_PROFILE);
        RtpPacket.putShort(p, 14, 2);
        p[16] = 0x10;
        p[17] = 0x55; // 6 bytes free after it
        p[24 + 9] = 10;
        int plen = TransportSequenceNumber.write(p, 0, 34, p.length, ID, 9);
        assertEquals(34, plen, "fits the free bytes");
        assertTrue(RtpPacket.isValid(p, 0, plen));
        assertEquals(0, RtpPacket.payloadLength(p, 0, plen));
    }

    @Test
    void refusesTwoByteBlocksAndPacketsWithoutRoom() {
        byte[] b = packet(0);
        b[0] |= 0x10;
        RtpPacket.putShort(b, 12, 0x1000);
        RtpPacket.putShort(b, 14, 0);
        assertEquals(-1, TransportSequenceNumber.write(b, 0, 16, b.length, ID, 1));
        byte[] full = packet(10);
        assertEquals(-1, TransportSequenceNumber.write(full, 0, 22, 25, ID, 1));
    }
}
