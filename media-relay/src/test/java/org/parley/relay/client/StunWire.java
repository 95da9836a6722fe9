package org.parley.relay.client;

import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.util.concurrent.ThreadLocalRandom;
import java.util.zip.CRC32;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * The few ICE connectivity-check messages (RFC 8445 section 7, RFC 8489) that wire-level test
 * clients send, written by hand so a test controls exactly what goes out and when.
 */
final class StunWire {

    static final int BINDING_REQUEST = 0x0001;
    static final int BINDING_SUCCESS = 0x0101;
    private static final int MAGIC_COOKIE = 0x2112A442;
    private static final int USERNAME = 0x0006;
    private static final int MESSAGE_INTEGRITY = 0x0008;
    private static final int XOR_MAPPED_ADDRESS = 0x0020;
    private static final int PRIORITY = 0x0024;
    private static final int USE_CANDIDATE = 0x0025;
    private static final int FINGERPRINT = 0x8028;
    private static final int ICE_CONTROLLING = 0x802A;

    private StunWire() {
    }

    /** An ICE check of the controlling agent that nominates its pair (RFC 8445 section 7.1.2). */
    static byte[] nominatingCheck(String remoteUfrag, String localUfrag, String remotePassword, long tieBreaker)
            throws GeneralSecurityException {
        ByteBuffer m = header(BINDING_REQUEST, randomTransaction());
        attribute(m, USERNAME, (remoteUfrag + ":" + localUfrag).getBytes(StandardCharsets.UTF_8));
        attribute(m, PRIORITY, ByteBuffer.allocate(4).putInt(0x6EFFFEFF).array());
        attribute(m, ICE_CONTROLLING, ByteBuffer.allocate(8).putLong(tieBreaker).array());
        attribute(m, USE_CANDIDATE, new byte[0]);
        return sign(m, remotePassword);
    }

    /** Answers a peer's check; XOR-MAPPED-ADDRESS names the peer's end as seen here (RFC 8489 14.2). */
    static byte[] bindingSuccess(byte[] transaction, InetSocketAddress peer, String localPassword)
            throws GeneralSecurityException {
        ByteBuffer m = header(BINDING_SUCCESS, transaction);
        byte[] ip = peer.getAddress().getAddress();
        ByteBuffer xor = ByteBuffer.allocate(8).put((byte) 0).put((byte) 1)
                .putShort((short) (peer.getPort() ^ (MAGIC_COOKIE >>> 16)));
        byte[] cookie = ByteBuffer.allocate(4).putInt(MAGIC_COOKIE).array();
        for (int i = 0; i < 4; i++) {
            xor.put((byte) (ip[i] ^ cookie[i]));
        }
        attribute(m, XOR_MAPPED_ADDRESS, xor.array());
        return sign(m, localPassword);
    }

    /** The STUN message type of a datagram (RFC 7983: first byte 0..3), or -1 if it is no STUN. */
    static int type(byte[] b, int len) {
        return (b[0] & 0xff) < 4 && len >= 20 ? ((b[0] & 0xff) << 8) | (b[1] & 0xff) : -1;
    }

    static byte[] transaction(byte[] b) {
        byte[] t = new byte[12];
        System.arraycopy(b, 8, t, 0, 12);
        return t;
    }

    private static byte[] randomTransaction() {
        byte[] t = new byte[12];
        ThreadLocalRandom.current().nextBytes(t);
        return t;
    }

    private static ByteBuffer header(int type, byte[] transaction) {
        return ByteBuffer.allocate(512).putShort((short) type).putShort((short) 0).putInt(MAGIC_COOKIE)
                .put(transaction);
    }

    private static void attribute(ByteBuffer m, int type, byte[] value) {
        m.putShort((short) type).putShort((short) value.length).put(value);
        while (m.position() % 4 != 0) {
            m.put((byte) 0);
        }
    }

    /**
     * Appends MESSAGE-INTEGRITY (HMAC-SHA1 with the short-term password, RFC 8489 section 14.5)
     * and FINGERPRINT (CRC-32 xor 0x5354554E, section 14.7), each computed with the length field
     * already counting it.
     */
    private static byte[] sign(ByteBuffer m, String key) throws GeneralSecurityException {
        int at = m.position();
        m.putShort(2, (short) (at - 20 + 24));
        Mac mac = Mac.getInstance("HmacSHA1");
        mac.init(new SecretKeySpec(key.getBytes(StandardCharsets.UTF_8), "HmacSHA1"));
        mac.update(m.array(), 0, at);
        attribute(m, MESSAGE_INTEGRITY, mac.doFinal());
        at = m.position();
        m.putShort(2, (short) (at - 20 + 8));
        CRC32 crc = new CRC32();
        crc.update(m.array(), 0, at);
        attribute(m, FINGERPRINT, ByteBuffer.allocate(4).putInt((int) crc.getValue() ^ 0x5354554E).array());
        byte[] out = new byte[m.position()];
        System.arraycopy(m.array(), 0, out, 0, out.length);
        return out;
    }
}
