package org.parley.relay.transport;

import org.jitsi.utils.ByteArrayBuffer;

/**
 * A reusable view of bytes in an array, the currency of the packet path. SRTP transforms work in
 * place and may grow the packet by its tag, so arrays are made with {@link #TAIL_ROOM} spare bytes
 * (jitsi-srtp's AES-GCM writes its tag past the current length).
 */
public final class PacketBuffer implements ByteArrayBuffer {

    /** Bytes kept free after a packet for the SRTP/SRTCP tag and SRTCP index. */
    public static final int TAIL_ROOM = 32;
    /** Largest datagram the relay handles (Ethernet MTU payload, as browsers stay below it). */
    public static final int MAX_PACKET = 1500;

    private byte[] buffer;
    private int offset;
    private int length;

    public PacketBuffer(byte[] buffer, int offset, int length) {
        this.buffer = buffer;
        this.offset = offset;
        this.length = length;
    }

    /** A fresh buffer that holds the largest packet plus tail room. */
    public static PacketBuffer allocate() {
        return new PacketBuffer(new byte[MAX_PACKET + TAIL_ROOM], 0, 0);
    }

    /** Points this view at new content (no copy). */
    public PacketBuffer set(byte[] array, int off, int len) {
        this.buffer = array;
        this.offset = off;
        this.length = len;
        return this;
    }

    /** Copies {@code len} bytes into this buffer's own array, growing it if needed. */
    public PacketBuffer copyFrom(byte[] src, int off, int len) {
        if (buffer == null || buffer.length < len + TAIL_ROOM) {
            buffer = new byte[len + TAIL_ROOM];
        }
        System.arraycopy(src, off, buffer, 0, len);
        offset = 0;
        length = len;
        return this;
    }

    @Override
    public byte[] getBuffer() {
        return buffer;
    }

    @Override
    public int getOffset() {
        return offset;
    }

    @Override
    public int getLength() {
        return length;
    }

    @Override
    public void setLength(int len) {
        this.length = len;
    }

    @Override
    public void setOffset(int off) {
        this.offset = off;
    }

    @Override
    public boolean isInvalid() {
        return false;
    }

    @Override
    public void readRegionToBuff(int off, int len, byte[] out) {
        System.arraycopy(buffer, offset + off, out, 0, len);
    }

    @Override
    public void grow(int howMuch) {
        if (howMuch <= 0) {
            return;
        }
        if (offset + length + howMuch > buffer.length) {
            byte[] bigger = new byte[length + howMuch + TAIL_ROOM];
            System.arraycopy(buffer, offset, bigger, 0, length);
            buffer = bigger;
            offset = 0;
        }
    }

    @Override
    public void append(byte[] data, int len) {
        grow(len);
        System.arraycopy(data, 0, buffer, offset + length, len);
        length += len;
    }

    @Override
    public void shrink(int len) {
        length = Math.max(0, length - len);
    }
}
