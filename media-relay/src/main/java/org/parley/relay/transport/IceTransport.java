package org.parley.relay.transport;

import java.beans.PropertyChangeEvent;
import java.io.IOException;
import java.net.DatagramPacket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.BiConsumer;
import org.ice4j.Transport;
import org.ice4j.TransportAddress;
import org.ice4j.ice.Agent;
import org.ice4j.ice.CandidatePair;
import org.ice4j.ice.CandidatePairState;
import org.ice4j.ice.CandidateType;
import org.ice4j.ice.Component;
import org.ice4j.ice.IceMediaStream;
import org.ice4j.ice.IceProcessingState;
import org.ice4j.ice.KeepAliveStrategy;
import org.ice4j.ice.LocalCandidate;
import org.ice4j.ice.RemoteCandidate;
import org.ice4j.ice.harvest.CandidateHarvester;
import org.ice4j.socket.MultiplexingDatagramSocket;
import org.ice4j.util.Buffer;
import org.ice4j.util.BufferPool;

/**
 * One ICE session (RFC 8445) with one remote peer: an ice4j agent with a single component
 * (rtcp-mux and BUNDLE leave one 5-tuple) whose received datagrams go to a {@link PacketHandler}.
 *
 * <p>Datagrams arrive two ways. On the relay's shared UDP port ice4j runs in push mode
 * ({@link SharedUdpPortHarvester#bind}): its listener thread, which reads the port for every
 * session, runs this session's handler itself, to the end of the fan-out, with no hand-off to
 * another thread. Each hand-off cost a thread wake-up per datagram, and on the virtual machines
 * relays run on a wake-up costs more than the forwarding (docs/benchmarks.md, issue 18). The
 * handler must therefore never block: DTLS records go to the handshake's own thread, slow ICE-TCP
 * receivers to their send queues. Everything else (ICE-TCP, client harvesters) arrives through the
 * component's socket, read by a thread of this session. A lock keeps the two from running the
 * handler at once; once a pair is selected only one of them has packets.
 */
public final class IceTransport implements AutoCloseable {

    private final String name;
    private final Agent agent;
    private final IceMediaStream stream;
    private final Component component;
    private final MultiplexingDatagramSocket socket;
    private final PublicAddressMap publicAddresses;
    private final CheckedAddresses checkedAddresses;
    /** Notified when a pair becomes valid or the session closes (see {@link #awaitValidPair}). */
    private final Object validPairSignal = new Object();
    private volatile boolean haveValidPair;
    private final List<CandidateHarvester> harvesters;
    private volatile DirectRoute route = DirectRoute.NONE;
    private volatile PacketHandler handler;
    private volatile boolean started;
    private volatile boolean closed;
    private Thread receiver;
    /** Held while the handler runs, by ice4j's listener thread or {@link #receiver}. */
    private final ReentrantLock handling = new ReentrantLock();
    /** The pushed datagram, copied with the tail room the handler may use; guarded by {@link #handling}. */
    private final byte[] pushed = new byte[PacketBuffer.MAX_PACKET + PacketBuffer.TAIL_ROOM];
    /** Where the last datagram ice4j pushed came from (the shared UDP port), and when. */
    private volatile SocketAddress pushedFrom;
    private volatile long pushedNanos;
    /** When the last datagram came through the component's socket (ICE-TCP). */
    private volatile long socketNanos;
    /** The UDP pair {@link #route} follows while ICE's selected pair is ICE-TCP, and its address. */
    private volatile CandidatePair followed;
    private volatile SocketAddress followedFrom;

    /**
     * @param controlling true only for a client agent; the relay is always controlled
     * @param advertisedIps public addresses ("PUBLIC" or "PUBLIC/LOCAL", {@link PublicAddressMap})
     *        announced as server-reflexive candidates beside host candidates, behind a static NAT
     */
    public IceTransport(String name, List<CandidateHarvester> harvesters, boolean controlling,
            List<String> advertisedIps, BiConsumer<IceTransport, IceProcessingState> onState) throws IOException {
        this.name = name;
        this.harvesters = List.copyOf(harvesters);
        this.publicAddresses = PublicAddressMap.parse(advertisedIps);
        this.agent = new Agent();
        agent.setControlling(controlling);
        if (!controlling) {
            // The relay must never end up controlling: its single-port candidates only answer
            // checks. A tie-breaker of 0 makes it lose every role conflict (RFC 8445 section
            // 7.3.1.1), e.g. when it is the offerer on a subscriber connection and the browser,
            // as answerer, also starts controlled.
            agent.setTieBreaker(0L);
        }
        // Only the given harvesters: ice4j would otherwise bind an ephemeral port on every
        // interface it finds.
        agent.setUseDynamicPorts(false);
        agent.setTrickling(true);
        for (CandidateHarvester h : harvesters) {
            agent.addCandidateHarvester(h);
        }
        agent.addStateChangeListener(evt -> onStateChange(evt, onState));
        this.stream = agent.createMediaStream("media");
        this.component = agent.createComponent(stream, KeepAliveStrategy.SELECTED_ONLY, true);
        // ice4j's TcpHarvester only harvests for a stream that already holds its one component,
        // which is not yet the case while createComponent runs: harvest it once more now.
        boolean haveTcp = component.getLocalCandidates().stream().anyMatch(c -> c.getTransport() == Transport.TCP);
        for (CandidateHarvester h : harvesters) {
            if (!haveTcp && h instanceof org.ice4j.ice.harvest.TcpHarvester) {
                h.harvest(component);
            }
        }
        this.socket = component.getSocket();
        component.setBufferCallback(this::onPushed);
        this.checkedAddresses = new CheckedAddresses(agent, component);
        stream.addPairChangeListener(this::onPairChange);
    }

    private void onPairChange(PropertyChangeEvent evt) {
        // ice4j fires this once the pair is in the valid list, which is where send() looks.
        if (IceMediaStream.PROPERTY_PAIR_VALIDATED.equals(evt.getPropertyName()) && !haveValidPair) {
            synchronized (validPairSignal) {
                haveValidPair = true;
                validPairSignal.notifyAll();
            }
        }
    }

    /**
     * Waits (bounded) until some candidate pair is valid, i.e. {@link #send} has a path. Only the
     * DTLS handshake thread waits here: it may read the peer's first flight before the relay's
     * own check of that path succeeded ({@link CheckedAddresses}), and must answer on it.
     *
     * @return false when no pair became valid in time or the session closed
     */
    public boolean awaitValidPair(long timeoutMillis) throws java.io.InterruptedIOException {
        long deadline = System.nanoTime() + timeoutMillis * 1_000_000L;
        synchronized (validPairSignal) {
            while (!haveValidPair && !closed) {
                long left = (deadline - System.nanoTime()) / 1_000_000L;
                if (left <= 0) {
                    return false;
                }
                try {
                    validPairSignal.wait(left);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new java.io.InterruptedIOException("closed while waiting for a valid ICE pair");
                }
            }
            return haveValidPair && !closed;
        }
    }

    private void onStateChange(PropertyChangeEvent evt, BiConsumer<IceTransport, IceProcessingState> onState) {
        if (Agent.PROPERTY_ICE_PROCESSING_STATE.equals(evt.getPropertyName())
                && evt.getNewValue() instanceof IceProcessingState s) {
            onState.accept(this, s);
        }
    }

    public String localUfrag() {
        return agent.getLocalUfrag();
    }

    public String localPassword() {
        return agent.getLocalPassword();
    }

    /**
     * The local candidates in SDP form: every host candidate, then its public twins (UDP and
     * ICE-TCP), one per public address and port however many host candidates map to it.
     */
    public List<String> localCandidates() {
        List<String> out = new ArrayList<>();
        List<LocalCandidate> hosts = component.getLocalCandidates().stream()
                .filter(c -> c.getType() == CandidateType.HOST_CANDIDATE).toList();
        for (LocalCandidate c : hosts) {
            out.add(IceCandidates.toSdp(c, null, "host"));
        }
        Set<String> announced = new HashSet<>();
        for (LocalCandidate c : hosts) {
            TransportAddress local = c.getTransportAddress();
            for (InetAddress publicAddress : publicAddresses.publicFor(local.getAddress())) {
                String ip = publicAddress.getHostAddress();
                if (announced.add(local.getTransport() + " " + ip + " " + local.getPort())) {
                    out.add(IceCandidates.toSdp(c, ip, "srflx"));
                }
            }
        }
        return out;
    }

    /** The remote ufrag/password from the peer's SDP (RFC 8839 section 5.4). */
    public synchronized void setRemoteCredentials(String ufrag, String password) {
        stream.setRemoteUfrag(ufrag);
        stream.setRemotePassword(password);
    }

    public String remoteUfrag() {
        return stream.getRemoteUfrag();
    }

    /** Adds a trickled remote candidate; returns false when it was not usable. */
    public synchronized boolean addRemoteCandidate(String sdp) {
        RemoteCandidate rc = IceCandidates.parseRemote(sdp, component, stream.getRemoteUfrag());
        if (rc == null) {
            return false;
        }
        if (started) {
            component.addUpdateRemoteCandidates(rc);
            component.updateRemoteCandidates();
        } else {
            component.addRemoteCandidate(rc);
        }
        return true;
    }

    /** Starts connectivity checks and the socket's receive thread; the handler gets every datagram. */
    public synchronized void start(PacketHandler packetHandler) {
        if (started || closed) {
            return;
        }
        this.handler = packetHandler;
        started = true;
        agent.startConnectivityEstablishment();
        receiver = new Thread(this::receiveLoop, "ice-" + name);
        receiver.setDaemon(true);
        receiver.start();
    }

    public boolean isStarted() {
        return started;
    }

    /** True once a candidate pair has been nominated: media may use it. */
    public boolean hasSelectedPair() {
        return component.getSelectedPair() != null;
    }

    /** ice4j's listener thread (push mode), with one datagram of this session that is not STUN. */
    private void onPushed(Buffer b) {
        try {
            handling.lock();
            try {
                int len = Math.min(b.getLength(), PacketBuffer.MAX_PACKET);
                System.arraycopy(b.getBuffer(), b.getOffset(), pushed, 0, len);
                SocketAddress from = b.getRemoteAddress();
                if (from != null && !from.equals(pushedFrom)) {
                    pushedFrom = from;
                }
                pushedNanos = System.nanoTime();
                deliver(pushed, 0, len, from);
            } finally {
                handling.unlock();
            }
        } finally {
            BufferPool.returnBuffer.invoke(b);
        }
    }

    /** The component socket's reader: ICE-TCP, client harvesters, and anything ice4j did not push. */
    private void receiveLoop() {
        byte[] buf = new byte[PacketBuffer.MAX_PACKET + PacketBuffer.TAIL_ROOM];
        DatagramPacket packet = new DatagramPacket(buf, 0, PacketBuffer.MAX_PACKET);
        while (!closed) {
            try {
                packet.setData(buf, 0, PacketBuffer.MAX_PACKET);
                socket.receive(packet);
            } catch (IOException e) {
                if (closed || socket.isClosed()) {
                    return;
                }
                continue; // one failed read
            }
            socketNanos = System.nanoTime();
            handling.lock();
            try {
                deliver(buf, packet.getOffset(), packet.getLength(), packet.getSocketAddress());
            } finally {
                handling.unlock();
            }
        }
    }

    /** Runs the handler on one datagram; the caller holds {@link #handling}. */
    private void deliver(byte[] buf, int off, int len, SocketAddress from) {
        PacketHandler h = handler;
        if (closed || h == null) {
            return;
        }
        try {
            h.onPacket(buf, off, len, from);
        } catch (RuntimeException e) {
            // A bug in a handler must not kill the thread: on the shared port it reads for every session.
        }
    }

    /**
     * Sends one datagram on the selected (or last used) candidate pair: straight from the relay's
     * {@link SharedPortSender} once ICE selected a UDP pair on the shared port, else through ice4j
     * (before selection, ICE-TCP, client harvesters).
     *
     * @return false when the datagram was dropped because the socket's send buffer was full
     */
    public boolean send(byte[] data, int offset, int length) throws IOException {
        if (closed) {
            throw new IOException("ICE transport " + name + " closed");
        }
        DirectRoute r = route();
        if (r.sender != null) {
            return r.sender.send(data, offset, length, r.to);
        }
        component.send(data, offset, length);
        return true;
    }

    /**
     * The way out for the current selected pair, looked up again only when the pair changes.
     *
     * <p>When ICE selected an ICE-TCP pair but the peer's newest datagrams arrive over UDP on a
     * pair whose check succeeded, sending follows them there. A browser nominates again when it
     * moves to a better pair (Chromium goes from ICE-TCP to UDP once UDP checks succeed), and ice4j,
     * as the controlled agent, keeps the pair nominated first. Before push mode ice4j's merging
     * socket sent on whichever of its sockets received last, which hid this; pushed datagrams no
     * longer pass through it, so the relay follows the peer itself (RFC 8445 section 8.1.1 lets the
     * controlling agent's choice stand; the peer's traffic is that choice).
     */
    private DirectRoute route() {
        CandidatePair pair = component.getSelectedPair();
        if (pair != null && pair.getLocalCandidate().getTransport() != Transport.UDP && pushedNanos > socketNanos) {
            CandidatePair udp = udpPairFrom(pushedFrom);
            if (udp != null) {
                pair = udp;
            }
        }
        DirectRoute r = route;
        if (r.pair != pair) {
            r = DirectRoute.of(pair, harvesters);
            route = r;
        }
        return r;
    }

    /** A UDP pair to {@code from} whose check succeeded, or null; looked up once per address. */
    private CandidatePair udpPairFrom(SocketAddress from) {
        if (from == null) {
            return null;
        }
        if (from.equals(followedFrom)) {
            return followed;
        }
        CandidatePair found = null;
        for (CandidatePair p : new ArrayList<>(stream.getCheckList())) {
            if (p.getLocalCandidate().getTransport() == Transport.UDP && p.getState() == CandidatePairState.SUCCEEDED
                    && from.equals(p.getRemoteCandidate().getTransportAddress())) {
                found = p;
                break;
            }
        }
        if (found != null) {
            followed = found;
            followedFrom = from;
        }
        return found;
    }

    /** A selected pair and, when it runs over the shared UDP port, the relay's sender and the peer's address. */
    private record DirectRoute(CandidatePair pair, SharedPortSender sender, Recipient to) {
        static final DirectRoute NONE = new DirectRoute(null, null, null);

        static DirectRoute of(CandidatePair pair, List<CandidateHarvester> harvesters) {
            if (pair == null || pair.getLocalCandidate().getTransport() != Transport.UDP) {
                return new DirectRoute(pair, null, null);
            }
            TransportAddress local = pair.getLocalCandidate().getTransportAddress();
            TransportAddress remote = pair.getRemoteCandidate().getTransportAddress();
            for (CandidateHarvester h : harvesters) {
                if (h instanceof SharedUdpPortHarvester shared && shared.getLocalAddress().equals(local)) {
                    return new DirectRoute(pair, shared.sender(),
                            Recipient.of(new InetSocketAddress(remote.getAddress(), remote.getPort())));
                }
            }
            return new DirectRoute(pair, null, null);
        }
    }

    /**
     * Lets go of every remote address the shared UDP port bound to this session except the
     * selected pair's, so that checks from those addresses reach another session (ICE restart,
     * see {@link SharedUdpPortHarvester}). ice4j offers no call for it: the single-port candidate
     * keeps its per-address sockets in a private map, read here by reflection; if that ever
     * fails, nothing is released and the restart relies on new addresses.
     */
    public void releaseUnselectedAddresses() {
        SocketAddress keep = remoteAddress();
        for (LocalCandidate c : component.getLocalCandidates()) {
            if (!c.getClass().getName().endsWith("SinglePortUdpHarvester$MyCandidate")) {
                continue;
            }
            try {
                java.lang.reflect.Field f = c.getClass().getDeclaredField("candidateSockets");
                f.setAccessible(true);
                Object map = f.get(c);
                List<Object> close = new ArrayList<>();
                synchronized (c) {
                    for (var e : ((java.util.Map<?, ?>) map).entrySet()) {
                        if (!e.getKey().equals(keep)) {
                            close.add(e.getValue());
                        }
                    }
                }
                for (Object socket : close) {
                    ((org.ice4j.socket.IceSocketWrapper) socket).close();
                }
            } catch (ReflectiveOperationException | RuntimeException e) {
                // ice4j changed: keep the sockets
            }
        }
    }

    public IceProcessingState state() {
        return agent.getState();
    }

    /** The remote address of the selected pair, or null before ICE completed. */
    public SocketAddress remoteAddress() {
        var pair = component.getSelectedPair();
        return pair == null ? null : pair.getRemoteCandidate().getTransportAddress();
    }

    /** True unless the selected pair runs over ICE-TCP. */
    public boolean selectedTransportIsUdp() {
        var pair = component.getSelectedPair();
        return pair == null || pair.getLocalCandidate().getTransport() == Transport.UDP;
    }

    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        synchronized (validPairSignal) {
            validPairSignal.notifyAll();
        }
        agent.free();
        if (receiver != null) {
            receiver.interrupt();
        }
    }

    /**
     * Closes and waits (bounded) until no thread is in the handler, so that a successor transport
     * can take over the handler without two threads ever running it at once. Called from inside
     * the handler, it returns at once: the handler returns to a closed transport, which runs it no
     * more. Returns false if a handler did not finish in time.
     */
    public boolean closeAndAwait(long timeoutMillis) {
        synchronized (this) {
            close();
        }
        if (handling.isHeldByCurrentThread()) {
            return true;
        }
        try {
            // Once closed, a thread that takes the lock no longer runs the handler.
            if (!handling.tryLock(timeoutMillis, TimeUnit.MILLISECONDS)) {
                return false;
            }
            handling.unlock();
            return true;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }
}
