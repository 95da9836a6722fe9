package org.parley.turn.stun;

import io.netty.buffer.ByteBuf;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.util.zip.CRC32;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * Writes one STUN message into a buffer: header, attributes (each padded to 4 bytes, RFC 8489 §14),
 * then optionally MESSAGE-INTEGRITY or MESSAGE-INTEGRITY-SHA256 and FINGERPRINT, fixing the length
 * field as each of those requires (§14.5-§14.7).
 */
public final class StunMessageWriter {
    private static final ThreadLocal<CRC32> CRC = ThreadLocal.withInitial(CRC32::new);

    private final ByteBuf out;
    private final int start;
    private final byte[] transactionId;

    private StunMessageWriter(ByteBuf out, byte[] transactionId) {
        this.out = out;
        this.start = out.writerIndex();
        this.transactionId = transactionId;
    }

    /** Starts a message of {@code method} and {@code stunClass} at the writer index of {@code out}. */
    public static StunMessageWriter start(ByteBuf out, int method, StunClass stunClass, byte[] transactionId) {
        StunMessageWriter w = new StunMessageWriter(out, transactionId);
        out.writeShort(stunClass.messageType(method));
        out.writeShort(0);
        out.writeInt(StunMessage.MAGIC_COOKIE);
        out.writeBytes(transactionId, 0, 12);
        return w;
    }

    public byte[] transactionId() {
        return transactionId;
    }

    public StunMessageWriter bytes(int type, byte[] value) {
        return bytes(type, value, 0, value.length);
    }

    public StunMessageWriter bytes(int type, byte[] value, int offset, int length) {
        header(type, length);
        out.writeBytes(value, offset, length);
        pad(length);
        return this;
    }

    /** An attribute whose value is the readable bytes of {@code value} (not released here). */
    public StunMessageWriter bytes(int type, ByteBuf value) {
        return bytes(type, value, value.readerIndex(), value.readableBytes());
    }

    /** An attribute whose value is {@code length} bytes of {@code value} from {@code index} (not released here). */
    public StunMessageWriter bytes(int type, ByteBuf value, int index, int length) {
        header(type, length);
        out.writeBytes(value, index, length);
        pad(length);
        return this;
    }

    public StunMessageWriter string(int type, String value) {
        return bytes(type, value.getBytes(StandardCharsets.UTF_8));
    }

    public StunMessageWriter uint32(int type, long value) {
        header(type, 4);
        out.writeInt((int) value);
        return this;
    }

    public StunMessageWriter xorAddress(int type, InetSocketAddress address) {
        header(type, XorAddress.valueLength(address));
        XorAddress.encode(out, address, transactionId);
        return this;
    }

    /** ERROR-CODE (RFC 8489 §14.8): class in hundreds, number modulo 100, then the reason phrase. */
    public StunMessageWriter errorCode(int code) {
        return errorCode(code, ErrorCode.reason(code));
    }

    /** ERROR-CODE with a reason phrase of one's own (RFC 8489 §14.8: at most 127 characters). */
    public StunMessageWriter errorCode(int code, String phrase) {
        byte[] reason = phrase.getBytes(StandardCharsets.UTF_8);
        header(StunAttribute.ERROR_CODE, 4 + reason.length);
        out.writeShort(0);
        out.writeByte(code / 100);
        out.writeByte(code % 100);
        out.writeBytes(reason);
        pad(4 + reason.length);
        return this;
    }

    /** UNKNOWN-ATTRIBUTES (RFC 8489 §14.9): a list of 16-bit types. */
    public StunMessageWriter unknownAttributes(int[] types, int count) {
        header(StunAttribute.UNKNOWN_ATTRIBUTES, 2 * count);
        for (int i = 0; i < count; i++) {
            out.writeShort(types[i]);
        }
        pad(2 * count);
        return this;
    }

    /** Appends MESSAGE-INTEGRITY (or the SHA-256 variant) computed with {@code key}. */
    public StunMessageWriter integrity(byte[] key, boolean sha256) {
        int attributeStart = out.writerIndex();
        int valueLength = sha256 ? 32 : 20;
        setLength(attributeStart + 4 + valueLength);
        byte[] mac = hmac(sha256, key, attributeStart - start);
        header(sha256 ? StunAttribute.MESSAGE_INTEGRITY_SHA256 : StunAttribute.MESSAGE_INTEGRITY, valueLength);
        out.writeBytes(mac, 0, valueLength);
        return this;
    }

    /** Appends FINGERPRINT and finishes the message; returns {@code out}. */
    public ByteBuf finishWithFingerprint() {
        int attributeStart = out.writerIndex();
        setLength(attributeStart + 8);
        CRC32 crc = CRC.get();
        crc.reset();
        ByteBuffer covered = out.nioBuffer(start, attributeStart - start);
        crc.update(covered);
        header(StunAttribute.FINGERPRINT, 4);
        out.writeInt((int) crc.getValue() ^ MessageIntegrity.FINGERPRINT_XOR);
        return out;
    }

    /** Finishes the message without FINGERPRINT; returns {@code out}. */
    public ByteBuf finish() {
        setLength(out.writerIndex());
        return out;
    }

    private byte[] hmac(boolean sha256, byte[] key, int coveredLength) {
        String algorithm = sha256 ? "HmacSHA256" : "HmacSHA1";
        try {
            Mac mac = Mac.getInstance(algorithm);
            mac.init(new SecretKeySpec(key, algorithm));
            mac.update(out.nioBuffer(start, coveredLength));
            return mac.doFinal();
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(algorithm + " missing from the JDK", e);
        }
    }

    private void setLength(int endIndex) {
        out.setShort(start + 2, endIndex - start - StunMessage.HEADER_LENGTH);
    }

    private void header(int type, int length) {
        out.writeShort(type);
        out.writeShort(length);
    }

    private void pad(int length) {
        int padding = (4 - (length & 3)) & 3;
        out.writeZero(padding);
    }
}
