package org.parley.signaling;

import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.Base64;

/**
 * A WebSocket client speaking RFC 6455 by hand over a plain socket, for tests that need what a
 * polite client never does: stop reading, or write a thousand frames without reading.
 */
public final class RawWebSocket implements AutoCloseable {

    /** One frame from the server; {@code closeCode} is -1 unless it is a close frame with a code. */
    public record Frame(int opcode, String text, int closeCode) {

        public boolean isClose() {
            return opcode == 8;
        }
    }

    private final Socket socket;
    private final OutputStream out;
    private final DataInputStream in;

    private RawWebSocket(Socket socket) throws IOException {
        this.socket = socket;
        this.out = socket.getOutputStream();
        this.in = new DataInputStream(socket.getInputStream());
    }

    /** A socket on 127.0.0.1:{@code port}, not yet upgraded; tune it, then {@link #upgrade()}. */
    public static RawWebSocket connect(int port) throws IOException {
        return connect(port, 0);
    }

    /**
     * As {@link #connect(int)} with a receive buffer of {@code receiveBufferBytes} (0: the system's).
     * It is set before connecting: the TCP window scale is agreed in the handshake, and a buffer
     * shrunk afterwards makes loopback crawl (a 4 KiB buffer set after connect took over two
     * minutes to deliver 5 MB).
     */
    public static RawWebSocket connect(int port, int receiveBufferBytes) throws IOException {
        Socket s = new Socket();
        if (receiveBufferBytes > 0) {
            s.setReceiveBufferSize(receiveBufferBytes);
        }
        s.connect(new InetSocketAddress("127.0.0.1", port), 5_000);
        return new RawWebSocket(s);
    }

    public Socket socket() {
        return socket;
    }

    /** Sends the upgrade request to /ws and reads the 101 response. */
    public RawWebSocket upgrade() throws IOException {
        String key = Base64.getEncoder().encodeToString("parley-test-key!".getBytes(StandardCharsets.US_ASCII));
        out.write(("GET /ws HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
                + "Sec-WebSocket-Key: " + key + "\r\nSec-WebSocket-Version: 13\r\n\r\n")
                .getBytes(StandardCharsets.US_ASCII));
        out.flush();
        ByteArrayOutputStream head = new ByteArrayOutputStream();
        while (!head.toString(StandardCharsets.US_ASCII).endsWith("\r\n\r\n")) {
            int b = in.read();
            if (b < 0) {
                throw new IOException("closed during handshake");
            }
            head.write(b);
        }
        if (!head.toString(StandardCharsets.US_ASCII).startsWith("HTTP/1.1 101")) {
            throw new IOException("upgrade refused: " + head);
        }
        return this;
    }

    /** Sends one text frame. */
    public void sendText(String text) throws IOException {
        write(textFrame(text));
    }

    /** Writes bytes as they are (for example many frames at once). */
    public void write(byte[] bytes) throws IOException {
        out.write(bytes);
        out.flush();
    }

    /** A masked text frame, as RFC 6455 §5.3 requires from clients. */
    public static byte[] textFrame(String text) {
        byte[] payload = text.getBytes(StandardCharsets.UTF_8);
        ByteArrayOutputStream f = new ByteArrayOutputStream();
        f.write(0x81);
        if (payload.length < 126) {
            f.write(0x80 | payload.length);
        } else {
            f.write(0x80 | 126);
            f.write(payload.length >> 8);
            f.write(payload.length);
        }
        byte[] mask = {1, 2, 3, 4};
        f.write(mask, 0, 4);
        for (int i = 0; i < payload.length; i++) {
            f.write(payload[i] ^ mask[i % 4]);
        }
        return f.toByteArray();
    }

    /** Reads the next frame; throws at end of stream. */
    public Frame read() throws IOException {
        int b0 = in.readUnsignedByte();
        int b1 = in.readUnsignedByte();
        long len = b1 & 0x7f;
        if (len == 126) {
            len = in.readUnsignedShort();
        } else if (len == 127) {
            len = in.readLong();
        }
        byte[] payload = new byte[(int) len];
        in.readFully(payload);
        int opcode = b0 & 0x0f;
        int code = opcode == 8 && len >= 2 ? ((payload[0] & 0xff) << 8) | (payload[1] & 0xff) : -1;
        return new Frame(opcode, new String(payload, StandardCharsets.UTF_8), code);
    }

    @Override
    public void close() throws IOException {
        socket.close();
    }
}
