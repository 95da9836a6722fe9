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

    private MediaPayload() {
    }

    /** Fills {@code b} (at least {@link #HEADER} bytes) for one packet. */
    public static void write(byte[] b, long sendNanos, int counter, int sender, MediaKind kind) {
        putInt(b, 0, MAGIC);
        putInt(b, 4, (int) (sendNanos >>> 32));
        putInt(b, 8, (int) sendNanos);
        putInt(b, 12, counter);
        putInt(b, 16, sender);
        putInt(b, 20, kind.ordinal());
    }

    /**
     * The offset of the marker in a received payload (0 for audio, 2 after a VP8 payload
     * descriptor), or -1 if the payload is not one of ours.
     */
    public static int find(byte[] p) {
        for (int off = 0; off <= 4 && off + HEADER <= p.length; off++) {
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
        return MediaKind.of(getInt(p, off + 20));
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
