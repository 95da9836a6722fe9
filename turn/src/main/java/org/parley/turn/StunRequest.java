package org.parley.turn;


import io.netty.buffer.ByteBuf;
import java.net.InetSocketAddress;
import java.util.function.Consumer;
import org.parley.turn.stun.ErrorCode;
import org.parley.turn.stun.StunAttribute;
import org.parley.turn.stun.StunClass;
import org.parley.turn.stun.StunMessage;
import org.parley.turn.stun.StunMessageWriter;

/**
 * One request being answered: the message, the client it came from, and once authenticated the
 * username and key that sign the answer (RFC 8489 §9.2.4: responses carry MESSAGE-INTEGRITY with the
 * request's key, and FINGERPRINT).
 */
final class StunRequest {
    static final String SOFTWARE = "parley-turn";

    final ClientLink link;
    final StunMessage message;
    /** The credential that signed the request; it owns the allocation (RFC 8656 §6.3). */
    String username;
    /** The user behind the credential, whom the quota counts (see {@link RestCredentials#user}). */
    String user;
    byte[] key;
    boolean sha256;

    StunRequest(ClientLink link, StunMessage message) {
        this.link = link;
        this.message = message;
    }

    InetSocketAddress source() {
        return link.fiveTuple().client();
    }

    int method() {
        return message.method();
    }

    /** Builds a success response with the attributes {@code body} writes; returns the bytes sent. */
    byte[] succeed(Consumer<StunMessageWriter> body) {
        ByteBuf out = link.alloc().heapBuffer(128);
        StunMessageWriter w = StunMessageWriter.start(out, message.method(), StunClass.SUCCESS_RESPONSE,
                message.transactionId());
        body.accept(w);
        w.string(StunAttribute.SOFTWARE, SOFTWARE);
        sign(w);
        byte[] copy = new byte[out.readableBytes()];
        out.getBytes(out.readerIndex(), copy);
        link.send(out);
        return copy;
    }

    /** Sends an error response; {@code body} may add attributes (REALM, NONCE, UNKNOWN-ATTRIBUTES). */
    void fail(int code, Consumer<StunMessageWriter> body) {
        fail(code, null, body);
    }

    /** An error response with {@code phrase} as reason phrase, or the standard one when null. */
    void fail(int code, String phrase, Consumer<StunMessageWriter> body) {
        ByteBuf out = link.alloc().heapBuffer(128);
        StunMessageWriter w = StunMessageWriter.start(out, message.method(), StunClass.ERROR_RESPONSE,
                message.transactionId());
        w.errorCode(code, phrase == null ? ErrorCode.reason(code) : phrase);
        if (body != null) {
            body.accept(w);
        }
        w.string(StunAttribute.SOFTWARE, SOFTWARE);
        sign(w);
        link.send(out);
    }

    void fail(int code) {
        fail(code, null);
    }

    /**
     * The allocation this request acts on, or null after answering why there is none to act on:
     * 437 when the 5-tuple has no allocation, 441 when it belongs to other credentials (RFC 8656
     * §6.3, which every request on an existing allocation follows).
     */
    Allocation ownAllocation() {
        Allocation allocation = link.allocation;
        if (allocation == null) {
            fail(ErrorCode.ALLOCATION_MISMATCH);
            return null;
        }
        if (!allocation.username().equals(username)) {
            fail(ErrorCode.WRONG_CREDENTIALS);
            return null;
        }
        return allocation;
    }

    /** Sends bytes prepared earlier (a retransmitted request gets the same answer, RFC 8489 §6.3.1). */
    void resend(byte[] response) {
        link.send(link.alloc().heapBuffer(response.length).writeBytes(response));
    }

    private void sign(StunMessageWriter w) {
        if (key != null) {
            w.integrity(key, sha256);
        }
        w.finishWithFingerprint();
    }
}
