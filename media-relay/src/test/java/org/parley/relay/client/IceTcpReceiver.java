package org.parley.relay.client;

import java.io.DataInputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.security.GeneralSecurityException;
import java.security.SecureRandom;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicInteger;
import org.bouncycastle.tls.crypto.impl.bc.BcTlsCrypto;
import org.parley.relay.sdp.LocalTransport;
import org.parley.relay.sdp.MediaSection;
import org.parley.relay.sdp.SessionDescription;
import org.parley.relay.transport.DtlsCertificate;
import org.parley.relay.transport.DtlsTransport;

/**
 * A subscriber that reaches the relay over ICE-TCP only (RFC 6544), written against the wire so a
 * test can do what no browser lets it: stop reading its socket. It is the active side: it
 * connects to the relay's passive candidate, sends connectivity checks with USE-CANDIDATE over
 * RFC 4571 framing (2-byte length before each datagram), answers the relay's own checks, then
 * runs the DTLS client. Media it receives is only counted, not decrypted.
 */
public final class IceTcpReceiver implements AutoCloseable {

    private final String name;
    private final String ufrag = token(8);
    private final String password = token(24);
    private final long tieBreaker = ThreadLocalRandom.current().nextLong();
    private final BcTlsCrypto crypto = new BcTlsCrypto(new SecureRandom());
    private final DtlsCertificate certificate = DtlsCertificate.generate(crypto);
    private final DtlsTransport dtls;
    private final AtomicInteger rtpReceived = new AtomicInteger();
    private final CountDownLatch resume = new CountDownLatch(1);
    private volatile String relayUfrag;
    private volatile String relayPassword;
    private volatile InetSocketAddress relayTcp;
    private volatile Socket socket;
    private volatile boolean checkAnswered;
    private volatile boolean connected;
    private volatile boolean paused;
    private volatile boolean closed;
    private volatile String failure;

    public IceTcpReceiver(String name) {
        this.name = name;
        this.dtls = new DtlsTransport(crypto, certificate, false, (b, off, len) -> {
            sendFrame(b, off, len);
            return true;
        });
    }

    private static String token(int length) {
        String alphabet = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789";
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < length; i++) {
            sb.append(alphabet.charAt(ThreadLocalRandom.current().nextInt(alphabet.length())));
        }
        return sb.toString();
    }

    /**
     * Answers the relay's subscriber offer (receiving everything, no candidates: the relay learns
     * this client's address from its TCP connection as peer-reflexive) and notes the relay's
     * credentials, fingerprint and passive TCP candidate.
     */
    public String answer(String offer) {
        SessionDescription d = SessionDescription.parse(offer);
        MediaSection first = d.media().get(0);
        relayUfrag = d.attribute(first, "ice-ufrag");
        relayPassword = d.attribute(first, "ice-pwd");
        dtls.setRemoteFingerprint(d.attribute(first, "fingerprint").split(" ")[1]);
        for (String c : first.attributes("candidate")) {
            String[] f = c.split(" ");
            if (f.length >= 10 && f[2].equalsIgnoreCase("tcp") && c.contains("tcptype passive")) {
                relayTcp = new InetSocketAddress(f[4], Integer.parseInt(f[5]));
            }
        }
        if (relayTcp == null) {
            throw new IllegalStateException("the relay offered no passive ICE-TCP candidate:\n" + offer);
        }
        return ClientSdp.subscriberAnswer(d, new LocalTransport(ufrag, password, certificate.fingerprint(), List.of()));
    }

    /**
     * Connects from {@code local} with a small receive buffer (so a paused reader fills the TCP
     * window soon), then checks until the relay answers and starts DTLS.
     */
    public void connect(InetAddress local) throws IOException {
        Socket s = new Socket();
        s.setReceiveBufferSize(4096);
        s.setTcpNoDelay(true);
        s.bind(new InetSocketAddress(local, 0));
        s.connect(relayTcp, 5000);
        socket = s;
        Thread reader = new Thread(this::readLoop, "ice-tcp-" + name);
        reader.setDaemon(true);
        reader.start();
        Thread checks = new Thread(this::checkLoop, "ice-tcp-checks-" + name);
        checks.setDaemon(true);
        checks.start();
    }

    /** Connectivity checks every 50 ms until DTLS is done (ice4j nominates on a triggered check). */
    private void checkLoop() {
        boolean dtlsStarted = false;
        while (!closed && !connected && failure == null) {
            try {
                sendFrame(bindingRequest());
                if (checkAnswered && !dtlsStarted) {
                    dtlsStarted = true;
                    dtls.start(name, keys -> connected = true, e -> failure = "DTLS: " + e);
                }
                Thread.sleep(50);
            } catch (IOException | InterruptedException e) {
                if (!closed) {
                    failure = "checks: " + e;
                }
                return;
            }
        }
    }

    private void readLoop() {
        try {
            DataInputStream in = new DataInputStream(socket.getInputStream());
            byte[] frame = new byte[65536];
            while (!closed) {
                if (paused) {
                    resume.await();
                    continue;
                }
                int len = in.readUnsignedShort();
                in.readFully(frame, 0, len);
                onFrame(frame, len);
            }
        } catch (IOException | InterruptedException | GeneralSecurityException e) {
            if (!closed) {
                failure = "read: " + e;
            }
        }
    }

    /** Demultiplexes by the first byte (RFC 7983): STUN, DTLS, or SRTP/SRTCP (counted). */
    private void onFrame(byte[] b, int len) throws IOException, GeneralSecurityException {
        int first = b[0] & 0xff;
        int stun = StunWire.type(b, len);
        if (stun >= 0) {
            if (stun == StunWire.BINDING_REQUEST) {
                sendFrame(StunWire.bindingSuccess(StunWire.transaction(b), relayTcp, password));
            } else if (stun == StunWire.BINDING_SUCCESS) {
                checkAnswered = true;
            }
        } else if (first >= 20 && first <= 63) {
            dtls.receive(b, 0, len);
        } else if (first >= 128 && first <= 191 && len >= 12) {
            int pt = b[1] & 0x7f;
            if (pt < 64 || pt > 95) { // RTCP packet types 192..223 have 64..95 here (RFC 5761)
                rtpReceived.incrementAndGet();
            }
        }
    }

    /** RFC 8445 section 7.1.2: a check of the controlling agent that nominates its pair. */
    private byte[] bindingRequest() throws IOException {
        try {
            return StunWire.nominatingCheck(relayUfrag, ufrag, relayPassword, tieBreaker);
        } catch (GeneralSecurityException e) {
            throw new IOException(e);
        }
    }

    private void sendFrame(byte[] data) throws IOException {
        sendFrame(data, 0, data.length);
    }

    private void sendFrame(byte[] data, int off, int len) throws IOException {
        Socket s = socket;
        if (s == null) {
            throw new IOException("not connected");
        }
        byte[] frame = new byte[len + 2];
        frame[0] = (byte) (len >>> 8);
        frame[1] = (byte) len;
        System.arraycopy(data, off, frame, 2, len);
        synchronized (this) {
            OutputStream out = s.getOutputStream();
            out.write(frame);
            out.flush();
        }
    }

    /** DTLS is done: the relay has SRTP keys and forwards media here. */
    public boolean isConnected() {
        return connected;
    }

    /** Why the connection broke, or null. */
    public String failure() {
        return failure;
    }

    /** RTP packets read from the socket so far. */
    public int rtpReceived() {
        return rtpReceived.get();
    }

    /**
     * Stops reading the socket for good, as a receiver on a congested link: once the kernel's
     * buffers on both ends are full, the relay's writes to this connection block.
     */
    public void pauseReading() {
        paused = true;
    }

    @Override
    public void close() throws IOException {
        closed = true;
        resume.countDown();
        dtls.close();
        Socket s = socket;
        if (s != null) {
            s.close();
        }
    }
}
