package org.parley.relay.cascade;

import java.io.IOException;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A UDP hop between two relays' link sockets that loses every {@code n}th datagram of each
 * direction (deterministic, so a run is repeatable), and besides the NACKs towards A it is told to
 * lose ({@link #loseNextNacks}), so that the packets they ask for are only repaired when the far
 * receiver's own NACK asks again (SRTCP
 * leaves the RTCP header in the clear: RFC 3711 section 3.4). Both relays are given this hop's
 * address as their peer's, and it tells the directions apart by the sender's address.
 */
final class LossyLinkProxy implements AutoCloseable {

    private final DatagramSocket socket;
    private final InetSocketAddress a;
    private final InetSocketAddress b;
    private final int n;
    private final Thread thread;
    private final AtomicInteger fromA = new AtomicInteger();
    private final AtomicInteger fromB = new AtomicInteger();
    private final AtomicInteger nacksToLose = new AtomicInteger();
    /** Datagrams lost on purpose, per direction. */
    final AtomicInteger droppedToB = new AtomicInteger();
    final AtomicInteger droppedToA = new AtomicInteger();

    LossyLinkProxy(InetSocketAddress a, InetSocketAddress b, int n) throws SocketException {
        this.a = a;
        this.b = b;
        this.n = n;
        socket = new DatagramSocket(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
        socket.setSoTimeout(200);
        thread = new Thread(this::run, "lossy-link-proxy");
        thread.setDaemon(true);
        thread.start();
    }

    /** The next {@code count} NACKs from B to A are lost (besides every nth datagram). */
    void loseNextNacks(int count) {
        nacksToLose.set(count);
    }

    /** The address both relays send their link datagrams to, as "ip:port". */
    String address() {
        return socket.getLocalAddress().getHostAddress() + ":" + socket.getLocalPort();
    }

    private void run() {
        byte[] buf = new byte[2048];
        DatagramPacket p = new DatagramPacket(buf, buf.length);
        while (!socket.isClosed()) {
            try {
                p.setLength(buf.length);
                socket.receive(p);
                boolean towardsB = p.getSocketAddress().equals(a);
                if (!towardsB && !p.getSocketAddress().equals(b)) {
                    continue;
                }
                int count = (towardsB ? fromA : fromB).incrementAndGet();
                // after the 4-byte link id: RTPFB (205) with FMT 1 is a generic NACK (RFC 4585)
                boolean nack = !towardsB && p.getLength() > 8 && (buf[5] & 0xff) == 205 && (buf[4] & 0x1f) == 1;
                if (count % n == 0 || nack && nacksToLose.getAndUpdate(k -> Math.max(0, k - 1)) > 0) {
                    (towardsB ? droppedToB : droppedToA).incrementAndGet();
                    continue;
                }
                socket.send(new DatagramPacket(buf, p.getLength(), towardsB ? b : a));
            } catch (SocketTimeoutException e) {
                // look at the closed flag again
            } catch (IOException e) {
                if (socket.isClosed()) {
                    return;
                }
            }
        }
    }

    @Override
    public void close() throws InterruptedException {
        socket.close();
        thread.join(2000);
    }
}
