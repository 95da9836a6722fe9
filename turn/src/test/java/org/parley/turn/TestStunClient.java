package org.parley.turn;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.util.function.Consumer;
import org.parley.turn.stun.StunAttribute;
import org.parley.turn.stun.StunClass;
import org.parley.turn.stun.StunMessage;
import org.parley.turn.stun.StunMessageWriter;
import org.parley.turn.stun.StunParseException;

/**
 * A minimal STUN/TURN client over UDP, or TCP with {@link #overTcp}, for protocol tests (the
 * interop proof is coturn's client; this one reaches the corners coturn's client never asks for).
 * Handles the 401 challenge itself.
 */
final class TestStunClient implements AutoCloseable {
    /** The UDP socket; null over TCP. */
    final DatagramSocket socket;
    /** The TCP connection; null over UDP. */
    private final Socket stream;
    private final InetSocketAddress server;
    String username;
    String password;
    String realm;
    String nonce;
    /** PASSWORD-ALGORITHMS of the last challenge, echoed when {@link #algorithm} is set. */
    byte[] offeredAlgorithms;
    /** RFC 8489 client behaviour: send PASSWORD-ALGORITHM(S) and use this key; null for RFC 5389. */
    PasswordAlgorithm algorithm;
    /** Send USERHASH instead of USERNAME (RFC 8489 §14.4). */
    boolean userhash;
    /** Sign with MESSAGE-INTEGRITY-SHA256 instead of MESSAGE-INTEGRITY. */
    boolean sha256;

    TestStunClient(InetSocketAddress server) throws IOException {
        this.server = server;
        this.socket = new DatagramSocket(new InetSocketAddress(server.getAddress(), 0));
        this.stream = null;
        socket.setSoTimeout(2000);
    }

    private TestStunClient(InetSocketAddress server, Socket stream) throws IOException {
        this.server = server;
        this.socket = null;
        this.stream = stream;
        stream.setSoTimeout(5000);
    }

    /** A client on a TCP connection to {@code server} (RFC 8656 §3.1; RFC 6062 needs one). */
    static TestStunClient overTcp(InetSocketAddress server) throws IOException {
        Socket s = new Socket();
        s.connect(server, 5000);
        s.setTcpNoDelay(true);
        return new TestStunClient(server, s);
    }

    TestStunClient credentials(String username, String password) {
        this.username = username;
        this.password = password;
        return this;
    }

    /** Sends a request without credentials and returns the answer (null on timeout). */
    StunMessage unauthenticated(int method, Consumer<StunMessageWriter> body) throws IOException {
        return exchange(build(method, Transactions.newId(), body, false));
    }

    /** Sends a request, answering a 401/438 challenge once, and returns the final answer. */
    StunMessage request(int method, Consumer<StunMessageWriter> body) throws IOException {
        return request(method, Transactions.newId(), body);
    }

    StunMessage request(int method, byte[] transactionId, Consumer<StunMessageWriter> body) throws IOException {
        if (nonce == null) {
            StunMessage challenge = exchange(build(method, Transactions.newId(), body, false));
            learn(challenge);
        }
        StunMessage answer = exchange(build(method, transactionId, body, true));
        if (answer != null && (errorCode(answer) == 438 || errorCode(answer) == 401) && answer.has(StunAttribute.NONCE)
                && !answer.string(StunAttribute.NONCE).equals(nonce)) {
            learn(answer);
            answer = exchange(build(method, transactionId, body, true));
        }
        return answer;
    }

    private void learn(StunMessage challenge) {
        if (challenge != null && challenge.has(StunAttribute.NONCE)) {
            realm = challenge.string(StunAttribute.REALM);
            nonce = challenge.string(StunAttribute.NONCE);
            offeredAlgorithms = challenge.value(StunAttribute.PASSWORD_ALGORITHMS);
        }
    }

    byte[] build(int method, byte[] transactionId, Consumer<StunMessageWriter> body, boolean sign) {
        ByteBuf out = Unpooled.buffer();
        StunMessageWriter w = StunMessageWriter.start(out, method, StunClass.REQUEST, transactionId);
        if (body != null) {
            body.accept(w);
        }
        if (sign) {
            if (userhash) {
                w.bytes(StunAttribute.USERHASH, LongTermKey.userhash(username, realm));
            } else {
                w.string(StunAttribute.USERNAME, username);
            }
            w.string(StunAttribute.REALM, realm).string(StunAttribute.NONCE, nonce);
            if (algorithm != null) {
                w.bytes(StunAttribute.PASSWORD_ALGORITHMS, offeredAlgorithms)
                        .bytes(StunAttribute.PASSWORD_ALGORITHM, algorithm.encode());
            }
            w.integrity(LongTermKey.of(username, realm, password,
                    algorithm == null ? PasswordAlgorithm.MD5 : algorithm), sha256);
        }
        w.finishWithFingerprint();
        byte[] bytes = new byte[out.readableBytes()];
        out.readBytes(bytes);
        out.release();
        return bytes;
    }

    void send(byte[] bytes) throws IOException {
        if (stream != null) {
            stream.getOutputStream().write(bytes);
            return;
        }
        socket.send(new DatagramPacket(bytes, bytes.length, server));
    }

    StunMessage exchange(byte[] request) throws IOException {
        send(request);
        byte[] txid = java.util.Arrays.copyOfRange(request, 8, 20);
        while (true) {
            byte[] in = receive();
            if (in == null) {
                return null;
            }
            try {
                StunMessage m = StunMessage.parse(in);
                if (m.sameTransaction(txid)) {
                    return m;
                }
            } catch (StunParseException e) {
                // ChannelData or Data indications interleaved: not our answer
            }
        }
    }

    /** The next datagram (over TCP: the next STUN message or ChannelData), or null after the timeout. */
    byte[] receive() throws IOException {
        if (stream != null) {
            return receiveFrame();
        }
        byte[] buf = new byte[2048];
        DatagramPacket p = new DatagramPacket(buf, buf.length);
        try {
            socket.receive(p);
        } catch (SocketTimeoutException e) {
            return null;
        }
        return java.util.Arrays.copyOf(buf, p.getLength());
    }

    /** RFC 8656 §12.5: over TCP a STUN message runs to its length, ChannelData to its padded length. */
    private byte[] receiveFrame() throws IOException {
        DataInputStream in = new DataInputStream(stream.getInputStream());
        byte[] head = new byte[4];
        try {
            in.readFully(head);
        } catch (SocketTimeoutException | EOFException e) {
            return null;
        }
        int length = ((head[2] & 0xFF) << 8) | (head[3] & 0xFF);
        int rest = (head[0] & 0xC0) == 0 ? 16 + length : (length + 3) & ~3;
        byte[] frame = java.util.Arrays.copyOf(head, 4 + rest);
        in.readFully(frame, 4, rest);
        return frame;
    }

    static int errorCode(StunMessage m) {
        byte[] v = m.value(StunAttribute.ERROR_CODE);
        return v == null ? 0 : (v[2] & 0x7) * 100 + (v[3] & 0xFF);
    }

    @Override
    public void close() {
        if (stream != null) {
            try {
                stream.close();
            } catch (IOException e) {
                // closing a test connection: nothing to do about it
            }
        } else {
            socket.close();
        }
    }
}
