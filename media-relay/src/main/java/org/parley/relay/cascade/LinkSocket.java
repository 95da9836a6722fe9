package org.parley.relay.cascade;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.DatagramChannel;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;
import org.parley.relay.transport.PacketBuffer;
import org.parley.relay.transport.SrtpProfile;
import org.parley.relay.transport.SrtpTransformer;

/**
 * The relay's one UDP socket for relay-to-relay links (cascading, docs/cluster.md "Cascading").
 * Every link of every conference shares it; a datagram is a 4-byte link id (chosen by the
 * signaling node that made the link, the same at both ends) followed by an SRTP or SRTCP packet
 * (RFC 3711, AEAD_AES_128_GCM of RFC 7714) protected with the link's keys. The keys come from
 * the signaling node over both relays' control APIs, so nothing crosses between relays in the
 * clear and a datagram that does not authenticate under its link's keys is dropped.
 *
 * <p>One receive thread; sends come from any thread (each with its own scratch buffers, so no
 * lock and no allocation per packet).
 */
public final class LinkSocket implements AutoCloseable {

    /** Bytes before the SRTP packet: the link id. */
    public static final int HEADER = 4;
    /** The SRTP profile of every link. */
    public static final SrtpProfile PROFILE = SrtpProfile.AEAD_AES_128_GCM;
    /** Keying material a link needs: two keys and two salts, as the DTLS exporter lays them out. */
    public static final int KEYING_MATERIAL_LENGTH = 2 * (PROFILE.keyLength() + PROFILE.saltLength());

    /** What a link's owner does with the packets that arrive on it (the receive thread). */
    public interface Receiver {
        void onRtp(byte[] b, int off, int len, long now);

        void onRtcp(byte[] b, int off, int len, long now);
    }

    private static final class Scratch {
        final PacketBuffer packet = PacketBuffer.allocate();
        final ByteBuffer datagram = ByteBuffer.allocateDirect(HEADER + PacketBuffer.MAX_PACKET + PacketBuffer.TAIL_ROOM);
    }

    private final DatagramChannel channel;
    private final InetSocketAddress local;
    private final Map<Integer, Link> links = new ConcurrentHashMap<>();
    private final ThreadLocal<Scratch> scratch = ThreadLocal.withInitial(Scratch::new);
    private final Thread receiveThread;
    /** Datagrams in and out, and those dropped (unknown link, failed authentication or replay). */
    public final LongAdder received = new LongAdder();
    public final LongAdder sent = new LongAdder();
    public final LongAdder dropped = new LongAdder();

    /** Binds the socket ({@code port} 0: any free port) and starts its receive thread. */
    public LinkSocket(String bindAddress, int port) throws IOException {
        channel = DatagramChannel.open();
        try {
            channel.setOption(StandardSocketOptions.SO_RCVBUF, 4 << 20);
            channel.bind(new InetSocketAddress(InetAddress.getByName(bindAddress), port));
        } catch (IOException e) {
            channel.close();
            throw e;
        }
        local = (InetSocketAddress) channel.getLocalAddress();
        receiveThread = new Thread(this::receiveLoop, "relay-link-receive");
        receiveThread.setDaemon(true);
        receiveThread.start();
    }

    /** The address this socket receives on, as peers should send to it. */
    public InetSocketAddress localAddress() {
        return local;
    }

    /**
     * Opens a link to a peer relay.
     *
     * @param keyingMaterial {@link #KEYING_MATERIAL_LENGTH} bytes, the same at both ends
     * @param initiator true at exactly one end: it sends with the second key and salt
     * @throws IllegalArgumentException for a wrong key length or a link id in use
     */
    public Link open(int linkId, InetSocketAddress peer, byte[] keyingMaterial, boolean initiator, Receiver receiver) {
        if (keyingMaterial == null || keyingMaterial.length != KEYING_MATERIAL_LENGTH) {
            throw new IllegalArgumentException("link keys must be " + KEYING_MATERIAL_LENGTH + " bytes");
        }
        if (peer == null || peer.isUnresolved() || peer.getPort() <= 0) {
            throw new IllegalArgumentException("the peer's link address must be a resolved ip:port");
        }
        Link link = new Link(linkId, peer, new SrtpTransformer(PROFILE, keyingMaterial, initiator), receiver);
        if (links.putIfAbsent(linkId, link) != null) {
            link.srtp.close();
            throw new IllegalArgumentException("link id " + linkId + " is in use on this relay");
        }
        return link;
    }

    /** Links open now. */
    public int linkCount() {
        return links.size();
    }

    private void receiveLoop() {
        PacketBuffer packet = PacketBuffer.allocate();
        ByteBuffer in = ByteBuffer.wrap(packet.getBuffer(), 0, PacketBuffer.MAX_PACKET);
        while (channel.isOpen()) {
            try {
                in.clear().limit(PacketBuffer.MAX_PACKET);
                if (channel.receive(in) == null) {
                    continue;
                }
                long now = System.nanoTime();
                received.increment();
                onDatagram(packet, in.position(), now);
            } catch (ClosedChannelException e) {
                return;
            } catch (IOException | RuntimeException e) {
                dropped.increment();
            }
        }
    }

    private void onDatagram(PacketBuffer packet, int length, long now) {
        byte[] b = packet.getBuffer();
        if (length < HEADER + 12) {
            dropped.increment();
            return;
        }
        int id = ((b[0] & 0xff) << 24) | ((b[1] & 0xff) << 16) | ((b[2] & 0xff) << 8) | (b[3] & 0xff);
        Link link = links.get(id);
        if (link == null) {
            dropped.increment();
            return;
        }
        packet.set(b, HEADER, length - HEADER);
        // RFC 5761 section 4: payload types 192-223 are RTCP.
        int pt = b[HEADER + 1] & 0xff;
        boolean rtcp = pt >= 192 && pt <= 223;
        SrtpTransformer.Result r = rtcp ? link.srtp.unprotectRtcp(packet) : link.srtp.unprotectRtp(packet);
        if (r != SrtpTransformer.Result.OK) {
            dropped.increment();
            return;
        }
        if (rtcp) {
            link.receiver.onRtcp(b, packet.getOffset(), packet.getLength(), now);
        } else {
            link.receiver.onRtp(b, packet.getOffset(), packet.getLength(), now);
        }
    }

    @Override
    public void close() {
        try {
            channel.close();
        } catch (IOException ignored) {
            // closing anyway
        }
        links.values().forEach(l -> l.srtp.close());
        links.clear();
        try {
            receiveThread.join(2000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** One conference's link to one peer relay. */
    public final class Link {

        private final int id;
        private final InetSocketAddress peer;
        private final SrtpTransformer srtp;
        private final Receiver receiver;
        private volatile boolean closed;

        private Link(int id, InetSocketAddress peer, SrtpTransformer srtp, Receiver receiver) {
            this.id = id;
            this.peer = peer;
            this.srtp = srtp;
            this.receiver = receiver;
        }

        public int id() {
            return id;
        }

        public InetSocketAddress peer() {
            return peer;
        }

        /**
         * Sends one RTP packet (copied; the original is left as it was). Packets of one SSRC must
         * come from one thread at a time: its SRTP context is not shared safely.
         */
        public boolean sendRtp(byte[] b, int off, int len) {
            return send(b, off, len, false);
        }

        /** Sends one compound RTCP packet; callers serialise RTCP of one sender SSRC. */
        public boolean sendRtcp(byte[] b, int off, int len) {
            return send(b, off, len, true);
        }

        private boolean send(byte[] b, int off, int len, boolean rtcp) {
            if (closed || len > PacketBuffer.MAX_PACKET - HEADER) {
                return false;
            }
            Scratch s = scratch.get();
            PacketBuffer p = s.packet;
            System.arraycopy(b, off, p.getBuffer(), 0, len);
            p.setOffset(0);
            p.setLength(len);
            if (!(rtcp ? srtp.protectRtcp(p) : srtp.protectRtp(p))) {
                return false;
            }
            ByteBuffer out = s.datagram;
            out.clear();
            out.putInt(id);
            out.put(p.getBuffer(), p.getOffset(), p.getLength());
            out.flip();
            try {
                channel.send(out, peer);
                sent.increment();
                return true;
            } catch (IOException e) {
                return false;
            }
        }

        /** Stops the link: nothing is sent or received on it any more. */
        public void close() {
            closed = true;
            if (links.remove(id, this)) {
                srtp.close();
            }
        }
    }
}
