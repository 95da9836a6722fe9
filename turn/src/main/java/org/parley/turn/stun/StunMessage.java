package org.parley.turn.stun;

import io.netty.buffer.ByteBuf;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;

/**
 * A parsed STUN message (RFC 8489 §5, §14). Holds a private copy of the bytes, so it outlives the
 * buffer it came from and never leaks it; attribute values are offsets into that copy.
 *
 * <p>Only the first occurrence of an attribute type counts (RFC 8489 §14: later duplicates are
 * ignored), except for XOR-PEER-ADDRESS which CreatePermission may repeat (RFC 8656 §9.1).
 */
public final class StunMessage {
    /** RFC 8489 §5: the fixed magic cookie. */
    public static final int MAGIC_COOKIE = 0x2112A442;
    public static final int HEADER_LENGTH = 20;
    /** Attributes kept per message; a legitimate TURN request has far fewer. */
    private static final int MAX_ATTRIBUTES = 64;

    private final byte[] bytes;
    private final int messageType;
    private final int[] types;
    private final int[] offsets;
    private final int[] lengths;
    private final int count;
    private final int integrityOffset;
    private final int integritySha256Offset;
    private final int fingerprintOffset;

    private StunMessage(byte[] bytes, int messageType, int[] types, int[] offsets, int[] lengths,
            int count, int integrityOffset, int integritySha256Offset, int fingerprintOffset) {
        this.bytes = bytes;
        this.messageType = messageType;
        this.types = types;
        this.offsets = offsets;
        this.lengths = lengths;
        this.count = count;
        this.integrityOffset = integrityOffset;
        this.integritySha256Offset = integritySha256Offset;
        this.fingerprintOffset = fingerprintOffset;
    }

    /** True when the readable bytes start like a STUN message (RFC 8489 §5: top two bits zero, cookie). */
    public static boolean looksLikeStun(ByteBuf buf) {
        int i = buf.readerIndex();
        return buf.readableBytes() >= HEADER_LENGTH && (buf.getByte(i) & 0xC0) == 0
                && buf.getInt(i + 4) == MAGIC_COOKIE;
    }

    /** Parses the readable bytes of {@code buf} (not consumed, not released) as one whole STUN message. */
    public static StunMessage parse(ByteBuf buf) throws StunParseException {
        int length = buf.readableBytes();
        if (length < HEADER_LENGTH) {
            throw new StunParseException("shorter than a STUN header: " + length);
        }
        if (length > 65535 + HEADER_LENGTH) {
            throw new StunParseException("too long: " + length);
        }
        byte[] bytes = new byte[length];
        buf.getBytes(buf.readerIndex(), bytes);
        return parse(bytes);
    }

    /** Parses {@code bytes} (kept, not copied) as one whole STUN message. */
    public static StunMessage parse(byte[] bytes) throws StunParseException {
        if (bytes.length < HEADER_LENGTH) {
            throw new StunParseException("shorter than a STUN header: " + bytes.length);
        }
        int messageType = u16(bytes, 0);
        if ((messageType & 0xC000) != 0) {
            throw new StunParseException("first two bits are not zero");
        }
        int bodyLength = u16(bytes, 2);
        // RFC 8489 §5: the length excludes the header and is a multiple of 4.
        if ((bodyLength & 3) != 0) {
            throw new StunParseException("length not a multiple of 4: " + bodyLength);
        }
        if (bodyLength + HEADER_LENGTH != bytes.length) {
            throw new StunParseException("length field " + bodyLength + " disagrees with size " + bytes.length);
        }
        if (i32(bytes, 4) != MAGIC_COOKIE) {
            throw new StunParseException("no magic cookie");
        }
        int[] types = new int[8];
        int[] offsets = new int[8];
        int[] lengths = new int[8];
        int count = 0;
        int integrity = -1;
        int integrity256 = -1;
        int fingerprint = -1;
        int pos = HEADER_LENGTH;
        while (pos < bytes.length) {
            if (pos + 4 > bytes.length) {
                throw new StunParseException("truncated attribute header at " + pos);
            }
            int type = u16(bytes, pos);
            int len = u16(bytes, pos + 2);
            int valueAt = pos + 4;
            int padded = (len + 3) & ~3;
            if (valueAt + padded > bytes.length) {
                throw new StunParseException("attribute 0x" + Integer.toHexString(type) + " overruns message");
            }
            if (fingerprint >= 0) {
                // RFC 8489 §14.7: FINGERPRINT is the last attribute.
                throw new StunParseException("attribute after FINGERPRINT");
            }
            if (type == StunAttribute.FINGERPRINT) {
                if (len != 4) {
                    throw new StunParseException("FINGERPRINT length " + len);
                }
                fingerprint = pos;
            } else if (integrity >= 0 || integrity256 >= 0) {
                // RFC 8489 §14.5/§14.6: after MESSAGE-INTEGRITY only MESSAGE-INTEGRITY-SHA256 and
                // FINGERPRINT count; anything else is ignored.
                if (type == StunAttribute.MESSAGE_INTEGRITY_SHA256 && integrity256 < 0) {
                    checkIntegrity256Length(len);
                    integrity256 = pos;
                }
            } else if (type == StunAttribute.MESSAGE_INTEGRITY) {
                if (len != 20) {
                    throw new StunParseException("MESSAGE-INTEGRITY length " + len);
                }
                integrity = pos;
            } else if (type == StunAttribute.MESSAGE_INTEGRITY_SHA256) {
                checkIntegrity256Length(len);
                integrity256 = pos;
            } else {
                if (count == MAX_ATTRIBUTES) {
                    throw new StunParseException("more than " + MAX_ATTRIBUTES + " attributes");
                }
                if (count == types.length) {
                    types = java.util.Arrays.copyOf(types, count * 2);
                    offsets = java.util.Arrays.copyOf(offsets, count * 2);
                    lengths = java.util.Arrays.copyOf(lengths, count * 2);
                }
                types[count] = type;
                offsets[count] = valueAt;
                lengths[count] = len;
                count++;
            }
            pos = valueAt + padded;
        }
        return new StunMessage(bytes, messageType, types, offsets, lengths, count, integrity,
                integrity256, fingerprint);
    }

    private static void checkIntegrity256Length(int len) throws StunParseException {
        // RFC 8489 §14.6: at least 16 bytes, a multiple of 4, at most 32.
        if (len < 16 || len > 32 || (len & 3) != 0) {
            throw new StunParseException("MESSAGE-INTEGRITY-SHA256 length " + len);
        }
    }

    public int messageType() {
        return messageType;
    }

    public int method() {
        return StunClass.methodOf(messageType);
    }

    public StunClass stunClass() {
        return StunClass.of(messageType);
    }

    /** The whole message as received; callers must not change it. */
    public byte[] bytes() {
        return bytes;
    }

    /** Copy of the 12-byte transaction id. */
    public byte[] transactionId() {
        return java.util.Arrays.copyOfRange(bytes, 8, HEADER_LENGTH);
    }

    /** True when both messages carry the same transaction id. */
    public boolean sameTransaction(byte[] transactionId) {
        return java.util.Arrays.equals(bytes, 8, HEADER_LENGTH, transactionId, 0, 12);
    }

    public int attributeCount() {
        return count;
    }

    public int attributeType(int index) {
        return types[index];
    }

    /** Index of the first attribute of {@code type}, or -1. */
    public int indexOf(int type) {
        for (int i = 0; i < count; i++) {
            if (types[i] == type) {
                return i;
            }
        }
        return -1;
    }

    public boolean has(int type) {
        return indexOf(type) >= 0;
    }

    public int valueOffset(int index) {
        return offsets[index];
    }

    public int valueLength(int index) {
        return lengths[index];
    }

    /** The value of the first attribute of {@code type}, copied, or null. */
    public byte[] value(int type) {
        int i = indexOf(type);
        return i < 0 ? null : java.util.Arrays.copyOfRange(bytes, offsets[i], offsets[i] + lengths[i]);
    }

    /** A UTF-8 attribute (USERNAME, REALM, NONCE, SOFTWARE), or null when absent. */
    public String string(int type) {
        int i = indexOf(type);
        return i < 0 ? null : new String(bytes, offsets[i], lengths[i], StandardCharsets.UTF_8);
    }

    /**
     * A UTF-8 attribute decoded strictly, or null when absent; malformed UTF-8 (which {@link #string}
     * would turn into U+FFFD) is an error, so a credential is never compared in a repaired form.
     */
    public String utf8(int type) throws StunParseException {
        int i = indexOf(type);
        if (i < 0) {
            return null;
        }
        try {
            return StandardCharsets.UTF_8.newDecoder()
                    .onMalformedInput(java.nio.charset.CodingErrorAction.REPORT)
                    .onUnmappableCharacter(java.nio.charset.CodingErrorAction.REPORT)
                    .decode(java.nio.ByteBuffer.wrap(bytes, offsets[i], lengths[i])).toString();
        } catch (java.nio.charset.CharacterCodingException e) {
            throw new StunParseException("attribute 0x" + Integer.toHexString(type) + " is not UTF-8");
        }
    }

    /** A 32-bit attribute value (LIFETIME, CONNECTION-ID, ...); {@code absent} when missing. */
    public long uint32(int type, long absent) throws StunParseException {
        int i = indexOf(type);
        if (i < 0) {
            return absent;
        }
        if (lengths[i] != 4) {
            throw new StunParseException("attribute 0x" + Integer.toHexString(type) + " must be 4 bytes");
        }
        return i32(bytes, offsets[i]) & 0xFFFFFFFFL;
    }

    /** The XOR-encoded address in attribute number {@code index}. */
    public InetSocketAddress xorAddress(int index) throws StunParseException {
        return XorAddress.decode(bytes, offsets[index], lengths[index], bytes);
    }

    /** The first XOR-encoded address of {@code type}, or null. */
    public InetSocketAddress xorAddressOf(int type) throws StunParseException {
        int i = indexOf(type);
        return i < 0 ? null : xorAddress(i);
    }

    /** Offset of the MESSAGE-INTEGRITY attribute header, or -1. */
    public int integrityOffset() {
        return integrityOffset;
    }

    /** Offset of the MESSAGE-INTEGRITY-SHA256 attribute header, or -1. */
    public int integritySha256Offset() {
        return integritySha256Offset;
    }

    /** Offset of the FINGERPRINT attribute header, or -1. */
    public int fingerprintOffset() {
        return fingerprintOffset;
    }

    static int u16(byte[] b, int at) {
        return ((b[at] & 0xFF) << 8) | (b[at + 1] & 0xFF);
    }

    static int i32(byte[] b, int at) {
        return ((b[at] & 0xFF) << 24) | ((b[at + 1] & 0xFF) << 16) | ((b[at + 2] & 0xFF) << 8) | (b[at + 3] & 0xFF);
    }

    @Override
    public String toString() {
        return StunMethod.name(method()) + " " + stunClass() + " (" + bytes.length + " bytes)";
    }
}
