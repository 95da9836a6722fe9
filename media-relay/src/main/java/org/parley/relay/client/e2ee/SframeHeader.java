package org.parley.relay.client.e2ee;

/**
 * The SFrame header (RFC 9605 §4.3): one config byte {@code X|K(3)|Y|C(3)}, then the KID and the
 * CTR when they do not fit in three bits, each in the fewest big-endian bytes (1-8).
 *
 * @param kid key id, unsigned 64-bit
 * @param ctr frame counter, unsigned 64-bit
 * @param length bytes the header takes on the wire
 */
public record SframeHeader(long kid, long ctr, int length) {

    /** Encodes {@code kid} and {@code ctr} (both taken as unsigned). */
    public static byte[] encode(long kid, long ctr) {
        int kidLen = Long.compareUnsigned(kid, 8) < 0 ? 0 : bytes(kid);
        int ctrLen = Long.compareUnsigned(ctr, 8) < 0 ? 0 : bytes(ctr);
        byte[] out = new byte[1 + kidLen + ctrLen];
        int config = kidLen == 0 ? (int) kid << 4 : 0x80 | (kidLen - 1) << 4;
        config |= ctrLen == 0 ? (int) ctr : 0x08 | (ctrLen - 1);
        out[0] = (byte) config;
        put(out, 1, kid, kidLen);
        put(out, 1 + kidLen, ctr, ctrLen);
        return out;
    }

    /** Reads a header at {@code off}; an {@link IllegalArgumentException} when it does not fit in {@code len}. */
    public static SframeHeader decode(byte[] b, int off, int len) {
        if (len < 1) {
            throw new IllegalArgumentException("no SFrame header");
        }
        int config = b[off] & 0xff;
        boolean extendedKid = (config & 0x80) != 0;
        boolean extendedCtr = (config & 0x08) != 0;
        int kidLen = extendedKid ? ((config >> 4) & 0x07) + 1 : 0;
        int ctrLen = extendedCtr ? (config & 0x07) + 1 : 0;
        int length = 1 + kidLen + ctrLen;
        if (len < length) {
            throw new IllegalArgumentException("SFrame header needs " + length + " bytes, has " + len);
        }
        long kid = extendedKid ? get(b, off + 1, kidLen) : (config >> 4) & 0x07;
        long ctr = extendedCtr ? get(b, off + 1 + kidLen, ctrLen) : config & 0x07;
        return new SframeHeader(kid, ctr, length);
    }

    private static int bytes(long v) {
        return Math.max(1, (64 - Long.numberOfLeadingZeros(v) + 7) / 8);
    }

    private static void put(byte[] out, int at, long v, int n) {
        for (int i = n - 1; i >= 0; i--) {
            out[at + i] = (byte) v;
            v >>>= 8;
        }
    }

    private static long get(byte[] b, int at, int n) {
        long v = 0;
        for (int i = 0; i < n; i++) {
            v = v << 8 | (b[at + i] & 0xff);
        }
        return v;
    }
}
