package org.parley.turn.stun;

import io.netty.buffer.ByteBuf;

/**
 * The ChannelData framing (RFC 8656 §12.4): a 16-bit channel number, a 16-bit
 * length of the application data, the data, and over TCP/TLS padding to a multiple of four (§12.5).
 */
public final class ChannelData {
    public static final int HEADER_LENGTH = 4;
    public static final int MIN_CHANNEL = 0x4000;
    /**
     * RFC 8656 §12 narrows channels to 0x4000-0x4FFF, but RFC 5766 §11 allowed up to 0x7FFF and
     * clients still use that range (coturn's uclient picks numbers above 0x4FFF), so it is accepted.
     */
    public static final int MAX_CHANNEL = 0x7FFF;

    private ChannelData() {
    }

    /** RFC 8656 §12: the first two bits 0b01 tell ChannelData from STUN (0b00) on the same socket. */
    public static boolean looksLikeChannelData(ByteBuf buf) {
        return buf.readableBytes() >= HEADER_LENGTH && (buf.getByte(buf.readerIndex()) & 0xC0) == 0x40;
    }

    public static boolean isValidChannel(int number) {
        return number >= MIN_CHANNEL && number <= MAX_CHANNEL;
    }

    /** Writes a ChannelData header; {@code stream} adds nothing here, see {@link #padding}. */
    public static void writeHeader(ByteBuf out, int channel, int length) {
        out.writeShort(channel);
        out.writeShort(length);
    }

    /** Padding after {@code length} data bytes: four-byte alignment over streams, none over UDP (§12.5). */
    public static int padding(int length, boolean stream) {
        return stream ? (4 - (length & 3)) & 3 : 0;
    }
}
