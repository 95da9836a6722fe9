package org.parley.relay.transport;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.InetAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.ice4j.Transport;
import org.ice4j.TransportAddress;
import org.ice4j.ice.IceProcessingState;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.parley.relay.Ice4jSettings;
import org.parley.relay.client.LoopbackHarvester;

/**
 * How the relay's sessions on the shared UDP port receive, through real ICE on loopback: ice4j's
 * listener thread runs each session's handler itself (no hand-off per datagram), a session whose
 * handler fails costs the others nothing, and closing a session waits for a handler in progress.
 */
class SharedPortReceiveTest {

    private static final int DATAGRAMS = 200;

    static {
        Ice4jSettings.apply();
    }

    private SharedUdpPortHarvester port;
    private final List<IceTransport> transports = new ArrayList<>();

    @BeforeEach
    void bind() throws Exception {
        port = SharedUdpPortHarvester.bind(new TransportAddress(InetAddress.getLoopbackAddress(), 0, Transport.UDP));
    }

    @AfterEach
    void close() {
        transports.forEach(IceTransport::close);
        port.close();
    }

    @Test
    void everySessionIsServedOnThePortsOwnThreadAndAFailingHandlerCostsTheOthersNothing() throws Exception {
        AtomicInteger failingCalls = new AtomicInteger();
        AtomicInteger received = new AtomicInteger();
        Set<Thread> handlerThreads = ConcurrentHashMap.newKeySet();
        Session failing = connect("failing", (b, off, len, from) -> {
            handlerThreads.add(Thread.currentThread());
            failingCalls.incrementAndGet();
            throw new IllegalStateException("a bug in one session's handler");
        });
        Session healthy = connect("healthy", (b, off, len, from) -> {
            handlerThreads.add(Thread.currentThread());
            if (len == 100 && b[off] == (byte) 0x80) {
                received.incrementAndGet();
            }
        });

        for (int i = 0; i < DATAGRAMS; i++) {
            failing.send(i);
            healthy.send(i);
            if (i % 20 == 19) {
                Thread.sleep(2); // paced, so no socket buffer on a loaded machine overflows
            }
        }
        awaitCount(received, DATAGRAMS);
        awaitCount(failingCalls, DATAGRAMS);
        assertEquals(DATAGRAMS, received.get(), "the healthy session lost datagrams");
        assertEquals(DATAGRAMS, failingCalls.get(), "the failing session's handler stopped being called");
        assertEquals(1, handlerThreads.size(), "handlers ran on " + handlerThreads + ", not on the port's one thread");
        assertFalse(handlerThreads.iterator().next().getName().startsWith("ice-"),
                "handlers ran on a session's own thread: " + handlerThreads);
    }

    @Test
    void closingASessionWaitsForItsHandlerAndThenRunsItNoMore() throws Exception {
        CountDownLatch inHandler = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        AtomicInteger calls = new AtomicInteger();
        Session held = connect("held", (b, off, len, from) -> {
            calls.incrementAndGet();
            inHandler.countDown();
            try {
                release.await(10, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        });
        held.send(0);
        assertTrue(inHandler.await(10, TimeUnit.SECONDS), "the handler never ran");
        assertFalse(held.relaySide.closeAndAwait(200), "closing did not wait for the handler in progress");
        release.countDown();
        assertTrue(held.relaySide.closeAndAwait(10_000), "closing did not see the handler finish");
        for (int i = 1; i < 20; i++) {
            held.send(i);
        }
        Thread.sleep(200);
        assertEquals(1, calls.get(), "a closed session's handler ran again");
    }

    /** A client agent and a relay session on the shared port, ICE completed between them. */
    private Session connect(String name, PacketHandler relayHandler) throws Exception {
        CountDownLatch done = new CountDownLatch(2);
        IceTransport relaySide = new IceTransport("relay-" + name, List.of(port), false, List.of(),
                (t, s) -> completed(s, done));
        IceTransport clientSide = new IceTransport("client-" + name,
                List.of(new LoopbackHarvester(InetAddress.getLoopbackAddress())), true, List.of(),
                (t, s) -> completed(s, done));
        transports.add(relaySide);
        transports.add(clientSide);
        relaySide.setRemoteCredentials(clientSide.localUfrag(), clientSide.localPassword());
        clientSide.setRemoteCredentials(relaySide.localUfrag(), relaySide.localPassword());
        relaySide.localCandidates().forEach(clientSide::addRemoteCandidate);
        clientSide.localCandidates().forEach(relaySide::addRemoteCandidate);
        relaySide.start(relayHandler);
        clientSide.start((b, off, len, from) -> { });
        assertTrue(done.await(15, TimeUnit.SECONDS), "ICE did not complete for " + name);
        assertTrue(clientSide.awaitValidPair(5_000));
        assertNotNull(relaySide.remoteAddress(), "no selected pair on the relay's side");
        return new Session(relaySide, clientSide);
    }

    private static void completed(IceProcessingState s, CountDownLatch done) {
        if (s == IceProcessingState.COMPLETED) {
            done.countDown();
        }
    }

    private static void awaitCount(AtomicInteger count, int expected) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(15);
        while (count.get() < expected && System.nanoTime() < deadline) {
            Thread.sleep(10);
        }
    }

    private record Session(IceTransport relaySide, IceTransport clientSide) {
        /** An RTP-looking datagram (first byte 0x80, so not STUN), numbered. */
        void send(int n) throws Exception {
            byte[] d = new byte[100];
            d[0] = (byte) 0x80;
            d[1] = (byte) n;
            clientSide.send(d, 0, d.length);
        }
    }
}
