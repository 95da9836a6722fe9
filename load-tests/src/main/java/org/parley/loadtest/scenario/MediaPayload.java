package org.parley.loadtest.scenario;

/**
 * What a simulated sender puts in each RTP payload so that receivers can measure: a magic
 * marker, the send time (System.nanoTime of the load-test process, which hosts every simulated
 * participant, so one clock serves both ends), the sender's own packet counter, its index and the
 * kind of source ({@link MediaKind}).
 * The relay rewrites RTP headers, never payloads.
 */
public final class MediaPayload {

    /** "PRLY". */
    static final int MAGIC = 0x50524C59;
    /** Bytes before the padding. */
    public static final int HEADER = 24;
    /**
     * Furthest a marker sits into a payload: a VP8 payload descriptor (1 byte) and a key frame's
     * frame tag, start code and picture size (10 bytes, RFC 6386 section 9.1), as the simulcast
     * camera sends them.
     */
    private static final int MAX_OFFSET = 11;

    private MediaPayload() {
    }

    /** Fills {@code b} (at least {@link #HEADER} bytes) for one packet. */
    public static void write(byte[] b, long sendNanos, int counter, int sender, MediaKind kind) {
        write(b, sendNanos, counter, sender, kind, -1);
    }

    /**
     * As {@link #write(byte[], long, int, int, MediaKind)} for one simulcast layer ({@code -1}:
     * not simulcast), written in the kind's word above its low byte.
     */
    public static void write(byte[] b, long sendNanos, int counter, int sender, MediaKind kind, int layer) {
        putInt(b, 0, MAGIC);
        putInt(b, 4, (int) (sendNanos >>> 32));
        putInt(b, 8, (int) sendNanos);
        putInt(b, 12, counter);
        putInt(b, 16, sender);
        putInt(b, 20, kind.ordinal() | (layer + 1) << 8);
    }

    /**
     * The offset of the marker in a received payload (0 for audio, 2 after a VP8 payload
     * descriptor, up to 11 after a descriptor and a VP8 key frame header), or -1 if the payload
     * is not one of ours.
     */
    public static int find(byte[] p) {
        for (int off = 0; off <= MAX_OFFSET && off + HEADER <= p.length; off++) {
            if (getInt(p, off) == MAGIC) {
                return off;
            }
        }
        return -1;
    }

    public static long sendNanos(byte[] p, int off) {
        return ((long) getInt(p, off + 4) << 32) | (getInt(p, off + 8) & 0xFFFFFFFFL);
    }

    /** The sender's packet counter for this source (0 for its first packet). */
    public static int counter(byte[] p, int off) {
        return getInt(p, off + 12);
    }

    public static int sender(byte[] p, int off) {
        return getInt(p, off + 16);
    }

    /** The source kind the sender wrote, or null if the value is not a kind. */
    public static MediaKind kind(byte[] p, int off) {
        int word = getInt(p, off + 20);
        return word >>> 16 != 0 ? null : MediaKind.of(word & 0xFF);
    }

    /** The simulcast layer the sender wrote (0 the lowest), -1 for a source that is not simulcast. */
    public static int layer(byte[] p, int off) {
        return ((getInt(p, off + 20) >>> 8) & 0xFF) - 1;
    }

    private static void putInt(byte[] b, int at, int v) {
        b[at] = (byte) (v >>> 24);
        b[at + 1] = (byte) (v >>> 16);
        b[at + 2] = (byte) (v >>> 8);
        b[at + 3] = (byte) v;
    }

    private static int getInt(byte[] b, int at) {
        return ((b[at] & 0xFF) << 24) | ((b[at + 1] & 0xFF) << 16) | ((b[at + 2] & 0xFF) << 8) | (b[at + 3] & 0xFF);
    }
}
