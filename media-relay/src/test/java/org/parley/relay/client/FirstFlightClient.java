package org.parley.relay.client;

import java.io.IOException;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.security.GeneralSecurityException;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicInteger;
import org.bouncycastle.tls.crypto.impl.bc.BcTlsCrypto;
import org.parley.relay.sdp.LocalTransport;
import org.parley.relay.sdp.MediaSection;
import org.parley.relay.sdp.SessionDescription;
import org.parley.relay.transport.DtlsCertificate;
import org.parley.relay.transport.DtlsTransport;

/**
 * A subscriber over UDP that joins as fast as a browser can, written against the wire: it sends
 * one nominating check and, as soon as the relay answers it, its DTLS ClientHello, before it
 * answers any check of the relay's (so the relay's own check of the path cannot have succeeded
 * yet). It sends that first flight once and never again until the relay has answered, so a relay
 * that drops it never connects, where a browser would only be slow (its retransmission timer).
 */
public final class FirstFlightClient implements AutoCloseable {

    private final String ufrag = "ff" + Long.toHexString(ThreadLocalRandom.current().nextLong());
    private final String password = "first-flight-" + Long.toHexString(ThreadLocalRandom.current().nextLong());
    private final long tieBreaker = ThreadLocalRandom.current().nextLong();
    private final BcTlsCrypto crypto = new BcTlsCrypto(new SecureRandom());
    private final DtlsCertificate certificate = DtlsCertificate.generate(crypto);
    private final DtlsTransport dtls;
    private final DatagramSocket socket;
    private final AtomicInteger flightsSent = new AtomicInteger();
    private final List<byte[]> unansweredChecks = new ArrayList<>();
    private volatile InetSocketAddress relay;
    private volatile String relayUfrag;
    private volatile String relayPassword;
    private volatile boolean heardDtls;
    private volatile boolean answeringChecks;
    private volatile boolean connected;
    private volatile String failure;
    private volatile boolean closed;

    public FirstFlightClient() throws IOException {
        socket = new DatagramSocket(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
        dtls = new DtlsTransport(crypto, certificate, false, this::sendDtls);
    }

    /** Answers the relay's subscriber offer (no candidates: the relay learns this one from its check). */
    public String answer(String offer) {
        SessionDescription d = SessionDescription.parse(offer);
        MediaSection first = d.media().get(0);
        relayUfrag = d.attribute(first, "ice-ufrag");
        relayPassword = d.attribute(first, "ice-pwd");
        dtls.setRemoteFingerprint(d.attribute(first, "fingerprint").split(" ")[1]);
        for (String c : first.attributes("candidate")) {
            String[] f = c.split(" ");
            if (f.length >= 8 && f[2].equalsIgnoreCase("udp") && f[4].equals("127.0.0.1")) {
                relay = new InetSocketAddress(f[4], Integer.parseInt(f[5]));
            }
        }
        if (relay == null) {
            throw new IllegalStateException("the relay offered no UDP candidate on 127.0.0.1:\n" + offer);
        }
        return ClientSdp.subscriberAnswer(d, new LocalTransport(ufrag, password, certificate.fingerprint(), List.of()));
    }

    /** Sends the one check; the reader thread starts DTLS when the relay answers it. */
    public void connect() throws IOException, GeneralSecurityException {
        Thread reader = new Thread(this::readLoop, "first-flight-client");
        reader.setDaemon(true);
        reader.start();
        send(StunWire.nominatingCheck(relayUfrag, ufrag, relayPassword, tieBreaker));
    }

    private void readLoop() {
        byte[] buf = new byte[2048];
        DatagramPacket p = new DatagramPacket(buf, buf.length);
        try {
            while (!closed) {
                p.setData(buf);
                socket.receive(p);
                onDatagram(buf, p.getLength());
            }
        } catch (IOException | GeneralSecurityException e) {
            if (!closed) {
                failure = "read: " + e;
            }
        }
    }

    private void onDatagram(byte[] b, int len) throws IOException, GeneralSecurityException {
        int stun = StunWire.type(b, len);
        if (stun == StunWire.BINDING_SUCCESS) {
            dtls.start("first-flight", keys -> connected = true, e -> failure = "DTLS: " + e);
        } else if (stun == StunWire.BINDING_REQUEST) {
            byte[] transaction = StunWire.transaction(b);
            if (answeringChecks) {
                send(StunWire.bindingSuccess(transaction, relay, password));
            } else {
                synchronized (unansweredChecks) {
                    unansweredChecks.add(transaction);
                }
            }
        } else if ((b[0] & 0xff) >= 20 && (b[0] & 0xff) <= 63) {
            heardDtls = true;
            dtls.receive(b, 0, len);
        }
    }

    /**
     * DTLS datagrams: the first (the ClientHello) goes out at once, then the relay's checks get
     * their answers; later ones only once the relay has sent DTLS, so no retransmission hides a
     * lost first flight.
     */
    private boolean sendDtls(byte[] b, int off, int len) throws IOException {
        if (flightsSent.get() > 0 && !heardDtls) {
            return true; // lost on the way, as far as the sender can tell
        }
        byte[] copy = new byte[len];
        System.arraycopy(b, off, copy, 0, len);
        send(copy);
        if (flightsSent.getAndIncrement() == 0) {
            answerChecks();
        }
        return true;
    }

    private void answerChecks() throws IOException {
        answeringChecks = true;
        List<byte[]> pending;
        synchronized (unansweredChecks) {
            pending = new ArrayList<>(unansweredChecks);
            unansweredChecks.clear();
        }
        for (byte[] transaction : pending) {
            try {
                send(StunWire.bindingSuccess(transaction, relay, password));
            } catch (GeneralSecurityException e) {
                throw new IOException(e);
            }
        }
    }

    private void send(byte[] data) throws IOException {
        socket.send(new DatagramPacket(data, data.length, relay));
    }

    public boolean isConnected() {
        return connected;
    }

    public String failure() {
        return failure;
    }

    @Override
    public void close() {
        closed = true;
        dtls.close();
        socket.close();
    }
}
