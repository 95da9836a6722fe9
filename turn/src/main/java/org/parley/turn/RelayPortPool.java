package org.parley.turn;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.StandardSocketOptions;
import java.nio.channels.DatagramChannel;
import java.nio.channels.NetworkChannel;
import java.nio.channels.ServerSocketChannel;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Hands out relay sockets bound to ports of {@code min-port..max-port} (RFC 8656 §7.2: the server
 * chooses the relayed transport address). Binding is done here with JDK channels, so a port taken by
 * another process is simply skipped; the caller wraps the bound socket in a Netty channel.
 */
final class RelayPortPool {
    /** A bound relay socket pair for EVEN-PORT with the R bit: {@code odd} is reserved. */
    record EvenPair(DatagramChannel even, DatagramChannel odd) {
    }

    private final int min;
    private final int max;
    private int next;

    RelayPortPool(int min, int max) {
        this.min = min;
        this.max = max;
        this.next = min + ThreadLocalRandom.current().nextInt(max - min + 1);
    }

    /** A UDP socket on {@code ip}; even port when asked (RFC 8656 §14.6); null when the range is full. */
    DatagramChannel bindUdp(InetAddress ip, boolean even) {
        int size = max - min + 1;
        for (int attempt = 0; attempt < size; attempt++) {
            int port = advance();
            if (even && (port & 1) != 0) {
                continue;
            }
            DatagramChannel ch = tryUdp(ip, port);
            if (ch != null) {
                return ch;
            }
        }
        return null;
    }

    /** An even port and the odd port above it, both bound; null when no such pair is free. */
    EvenPair bindEvenPair(InetAddress ip) {
        int size = max - min + 1;
        for (int attempt = 0; attempt < size; attempt++) {
            int port = advance();
            if ((port & 1) != 0 || port + 1 > max) {
                continue;
            }
            DatagramChannel even = tryUdp(ip, port);
            if (even == null) {
                continue;
            }
            DatagramChannel odd = tryUdp(ip, port + 1);
            if (odd != null) {
                return new EvenPair(even, odd);
            }
            closeQuietly(even);
        }
        return null;
    }

    /**
     * A listening TCP socket for an RFC 6062 allocation. SO_REUSEPORT lets connections to peers
     * originate from the same relayed address (RFC 6062 §5.2).
     */
    ServerSocketChannel bindTcp(InetAddress ip) {
        int size = max - min + 1;
        for (int attempt = 0; attempt < size; attempt++) {
            int port = advance();
            ServerSocketChannel ch = null;
            try {
                ch = ServerSocketChannel.open();
                trySetReusePort(ch);
                ch.bind(new InetSocketAddress(ip, port), 64);
                return ch;
            } catch (IOException e) {
                closeQuietly(ch);
            }
        }
        return null;
    }

    static void trySetReusePort(NetworkChannel ch) {
        try {
            if (ch.supportedOptions().contains(StandardSocketOptions.SO_REUSEPORT)) {
                ch.setOption(StandardSocketOptions.SO_REUSEPORT, true);
            }
        } catch (IOException | UnsupportedOperationException e) {
            // Connections to peers then come from another port; they still work.
        }
    }

    private int advance() {
        int port = next;
        next = next >= max ? min : next + 1;
        return port;
    }

    private static DatagramChannel tryUdp(InetAddress ip, int port) {
        DatagramChannel ch = null;
        try {
            ch = DatagramChannel.open(ip.getAddress().length == 4
                    ? java.net.StandardProtocolFamily.INET : java.net.StandardProtocolFamily.INET6);
            ch.bind(new InetSocketAddress(ip, port));
            return ch;
        } catch (IOException e) {
            closeQuietly(ch);
            return null;
        }
    }

    static void closeQuietly(java.nio.channels.Channel ch) {
        if (ch != null) {
            try {
                ch.close();
            } catch (IOException ignored) {
                // closing a socket we no longer want; nothing to do
            }
        }
    }
}
