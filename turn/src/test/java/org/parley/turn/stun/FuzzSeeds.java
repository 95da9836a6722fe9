package org.parley.turn.stun;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import java.net.InetSocketAddress;

/** Real-shaped TURN messages to mutate in fuzz tests. */
public final class FuzzSeeds {
    private FuzzSeeds() {
    }

    public static byte[] allocateRequest() {
        ByteBuf out = Unpooled.buffer();
        StunMessageWriter.start(out, StunMethod.ALLOCATE, StunClass.REQUEST, new byte[12])
                .bytes(StunAttribute.REQUESTED_TRANSPORT, new byte[] {17, 0, 0, 0})
                .uint32(StunAttribute.LIFETIME, 777)
                .bytes(StunAttribute.EVEN_PORT, new byte[] {(byte) 0x80})
                .string(StunAttribute.USERNAME, "1700000000:alice")
                .string(StunAttribute.REALM, "parley")
                .string(StunAttribute.NONCE, "0123456789abcdef.0123")
                .integrity(new byte[16], false)
                .finishWithFingerprint();
        return bytes(out);
    }

    /**
     * An Allocate as an RFC 8489 client sends it after a challenge: PASSWORD-ALGORITHMS echoed,
     * PASSWORD-ALGORITHM SHA-256, USERHASH (when {@code userhash}) or a non-ASCII REST USERNAME, and
     * MESSAGE-INTEGRITY-SHA256.
     */
    public static byte[] allocateRequestRfc8489(String realm, String nonce, boolean userhash) {
        ByteBuf out = Unpooled.buffer();
        StunMessageWriter w = StunMessageWriter.start(out, StunMethod.ALLOCATE, StunClass.REQUEST, new byte[12])
                .bytes(StunAttribute.REQUESTED_TRANSPORT, new byte[] {17, 0, 0, 0});
        if (userhash) {
            w.bytes(StunAttribute.USERHASH, new byte[32]);
        } else {
            w.string(StunAttribute.USERNAME, "4000000000:zo\u00eb\u00a0\u30de");
        }
        w.string(StunAttribute.REALM, realm)
                .string(StunAttribute.NONCE, nonce)
                .bytes(StunAttribute.PASSWORD_ALGORITHMS, new byte[] {0, 2, 0, 0, 0, 1, 0, 0})
                .bytes(StunAttribute.PASSWORD_ALGORITHM, new byte[] {0, 2, 0, 0})
                .integrity(new byte[32], true)
                .finishWithFingerprint();
        return bytes(out);
    }

    public static byte[] sendIndication() {
        ByteBuf out = Unpooled.buffer();
        StunMessageWriter.start(out, StunMethod.SEND, StunClass.INDICATION, new byte[12])
                .xorAddress(StunAttribute.XOR_PEER_ADDRESS, new InetSocketAddress("127.0.0.1", 3480))
                .bytes(StunAttribute.DATA, new byte[50])
                .finishWithFingerprint();
        return bytes(out);
    }

    private static byte[] bytes(ByteBuf out) {
        byte[] b = new byte[out.readableBytes()];
        out.readBytes(b);
        out.release();
        return b;
    }
}
