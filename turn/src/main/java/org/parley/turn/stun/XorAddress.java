package org.parley.turn.stun;

import io.netty.buffer.ByteBuf;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;

/**
 * XOR-MAPPED-ADDRESS, XOR-PEER-ADDRESS and XOR-RELAYED-ADDRESS encoding (RFC 8489 §14.2): the port
 * is XORed with the top half of the magic cookie, an IPv4 address with the cookie, an IPv6 address
 * with the cookie followed by the transaction id. Family 0x01 is IPv4, 0x02 IPv6.
 */
public final class XorAddress {
    public static final int FAMILY_IPV4 = 0x01;
    public static final int FAMILY_IPV6 = 0x02;

    private XorAddress() {
    }

    /** Decodes a value at {@code bytes[offset..offset+length)}; {@code header} holds the message header. */
    static InetSocketAddress decode(byte[] bytes, int offset, int length, byte[] header) throws StunParseException {
        if (length < 4) {
            throw new StunParseException("address attribute too short");
        }
        int family = bytes[offset + 1] & 0xFF;
        int port = StunMessage.u16(bytes, offset + 2) ^ (StunMessage.MAGIC_COOKIE >>> 16);
        int addressLength = family == FAMILY_IPV4 ? 4 : family == FAMILY_IPV6 ? 16 : -1;
        if (addressLength < 0) {
            throw new StunParseException("unknown address family " + family);
        }
        if (length != 4 + addressLength) {
            throw new StunParseException("address attribute length " + length + " for family " + family);
        }
        byte[] address = new byte[addressLength];
        for (int i = 0; i < addressLength; i++) {
            // bytes 4..19 of the header are the cookie then the transaction id
            address[i] = (byte) (bytes[offset + 4 + i] ^ header[4 + i]);
        }
        try {
            return new InetSocketAddress(InetAddress.getByAddress(address), port);
        } catch (UnknownHostException e) {
            throw new StunParseException("bad address");
        }
    }

    /** Writes the attribute value (without the attribute header) for {@code address}. */
    static void encode(ByteBuf out, InetSocketAddress address, byte[] transactionId) {
        byte[] raw = address.getAddress().getAddress();
        out.writeByte(0);
        out.writeByte(raw.length == 4 ? FAMILY_IPV4 : FAMILY_IPV6);
        out.writeShort(address.getPort() ^ (StunMessage.MAGIC_COOKIE >>> 16));
        for (int i = 0; i < raw.length; i++) {
            int mask = i < 4 ? (StunMessage.MAGIC_COOKIE >>> (24 - 8 * i)) & 0xFF : transactionId[i - 4] & 0xFF;
            out.writeByte((raw[i] & 0xFF) ^ mask);
        }
    }

    /** Size of the encoded value for {@code address}. */
    static int valueLength(InetSocketAddress address) {
        return address.getAddress().getAddress().length == 4 ? 8 : 20;
    }
}
