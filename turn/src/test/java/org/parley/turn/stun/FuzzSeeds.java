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
