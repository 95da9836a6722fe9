package org.parley.turn.stun;

/**
 * The class of a STUN message and the interleaved encoding of class and method into the 14-bit
 * message type (RFC 8489 §5: M11..M7 C1 M6..M4 C0 M3..M0).
 */
public enum StunClass {
    REQUEST(0b00), INDICATION(0b01), SUCCESS_RESPONSE(0b10), ERROR_RESPONSE(0b11);

    private final int bits;

    StunClass(int bits) {
        this.bits = bits;
    }

    /** Builds the message type field from a method and this class. */
    public int messageType(int method) {
        return (method & 0x000F) | ((method & 0x0070) << 1) | ((method & 0x0F80) << 2)
                | ((bits & 0b01) << 4) | ((bits & 0b10) << 7);
    }

    /** The class encoded in a message type field. */
    public static StunClass of(int messageType) {
        int bits = ((messageType >> 4) & 0b01) | ((messageType >> 7) & 0b10);
        return values()[bits];
    }

    /** The method encoded in a message type field. */
    public static int methodOf(int messageType) {
        return (messageType & 0x000F) | ((messageType >> 1) & 0x0070) | ((messageType >> 2) & 0x0F80);
    }
}
