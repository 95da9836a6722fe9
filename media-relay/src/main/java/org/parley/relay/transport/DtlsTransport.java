package org.parley.relay.transport;

import java.io.IOException;
import java.io.InterruptedIOException;
import java.util.Hashtable;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.bouncycastle.tls.AlertDescription;
import org.bouncycastle.tls.Certificate;
import org.bouncycastle.tls.CertificateRequest;
import org.bouncycastle.tls.ClientCertificateType;
import org.bouncycastle.tls.DTLSClientProtocol;
import org.bouncycastle.tls.DTLSServerProtocol;
import org.bouncycastle.tls.DatagramTransport;
import org.bouncycastle.tls.DefaultTlsClient;
import org.bouncycastle.tls.DefaultTlsServer;
import org.bouncycastle.tls.ProtocolVersion;
import org.bouncycastle.tls.SignatureAlgorithm;
import org.bouncycastle.tls.SignatureAndHashAlgorithm;
import org.bouncycastle.tls.TlsAuthentication;
import org.bouncycastle.tls.TlsContext;
import org.bouncycastle.tls.TlsCredentialedSigner;
import org.bouncycastle.tls.TlsCredentials;
import org.bouncycastle.tls.TlsFatalAlert;
import org.bouncycastle.tls.TlsSRTPUtils;
import org.bouncycastle.tls.TlsServerCertificate;
import org.bouncycastle.tls.UseSRTPData;
import org.bouncycastle.tls.crypto.TlsCryptoParameters;
import org.bouncycastle.tls.crypto.impl.bc.BcDefaultTlsCredentialedSigner;
import org.bouncycastle.tls.crypto.impl.bc.BcTlsCrypto;

/**
 * DTLS 1.2 with the use_srtp extension (RFC 5764) over an ICE-selected path, in the server role
 * (the relay) or the client role (the Java test client). The handshake runs on its own thread fed
 * by {@link #receive}; once done, {@code onConnected} gets the SRTP keys. The peer's certificate must
 * match the a=fingerprint of its SDP (RFC 8122 section 5), otherwise the handshake fails.
 */
public final class DtlsTransport implements AutoCloseable {

    private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(DtlsTransport.class);

    /** Exporter label for DTLS-SRTP keys (RFC 5764 section 4.2). */
    public static final String EXPORTER_LABEL = "EXTRACTOR-dtls_srtp";
    private static final long FINGERPRINT_WAIT_MS = 10_000;

    /** ECDSA suites only: both sides' certificates are ECDSA P-256 (as browsers' default). */
    private static final int[] CIPHER_SUITES = {
        org.bouncycastle.tls.CipherSuite.TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256,
        org.bouncycastle.tls.CipherSuite.TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384,
        org.bouncycastle.tls.CipherSuite.TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256,
        org.bouncycastle.tls.CipherSuite.TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA,
    };

    private final BcTlsCrypto crypto;
    private final DtlsCertificate certificate;
    private final boolean server;
    private final DatagramSender sender;
    private final ArrayBlockingQueue<byte[]> inbound = new ArrayBlockingQueue<>(64);
    private final CountDownLatch fingerprintKnown = new CountDownLatch(1);
    private volatile String remoteFingerprint;
    private volatile boolean closed;
    private volatile Thread thread;
    private volatile org.bouncycastle.tls.DTLSTransport established;

    public DtlsTransport(BcTlsCrypto crypto, DtlsCertificate certificate, boolean server, DatagramSender sender) {
        this.crypto = crypto;
        this.certificate = certificate;
        this.server = server;
        this.sender = sender;
    }

    /** The peer's SHA-256 fingerprint from its SDP; the handshake waits for it. */
    public void setRemoteFingerprint(String sha256) {
        this.remoteFingerprint = sha256;
        fingerprintKnown.countDown();
    }

    /** The fingerprint the handshake is (or will be) checked against, null before SDP gave one. */
    public String remoteFingerprint() {
        return remoteFingerprint;
    }

    /** A DTLS record from the wire (RFC 7983 first byte 20..63); dropped when the queue is full. */
    public boolean receive(byte[] data, int offset, int length) {
        if (closed) {
            return false;
        }
        byte[] copy = new byte[length];
        System.arraycopy(data, offset, copy, 0, length);
        return inbound.offer(copy);
    }

    /** Starts the handshake on a new thread named after the connection. */
    public synchronized void start(String name, Consumer<SrtpTransformer> onConnected, Consumer<Exception> onFailed) {
        if (thread != null) {
            return;
        }
        Thread t = new Thread(() -> run(onConnected, onFailed), "dtls-" + name);
        t.setDaemon(true);
        thread = t;
        t.start();
    }

    private void run(Consumer<SrtpTransformer> onConnected, Consumer<Exception> onFailed) {
        Transport transport = new Transport();
        try {
            SrtpKeys keys = new SrtpKeys();
            org.bouncycastle.tls.DTLSTransport dtls;
            if (server) {
                DTLSServerProtocol protocol = new DTLSServerProtocol();
                // ICE connectivity checks already proved the peer owns its address; a cookie
                // exchange (RFC 6347 section 4.2.1) would only add a round trip.
                protocol.setVerifyRequests(false);
                dtls = protocol.accept(new Server(keys), transport);
            } else {
                dtls = new DTLSClientProtocol().connect(new Client(keys), transport);
            }
            established = dtls;
            onConnected.accept(new SrtpTransformer(keys.profile, keys.material, server));
            // Keep reading so retransmitted flights and close_notify are handled by BouncyCastle.
            byte[] sink = new byte[PacketBuffer.MAX_PACKET];
            while (!closed) {
                dtls.receive(sink, 0, sink.length, 1000);
            }
        } catch (Exception e) {
            if (!closed) {
                onFailed.accept(e);
            }
        }
    }

    @Override
    public void close() {
        closed = true;
        org.bouncycastle.tls.DTLSTransport dtls = established;
        if (dtls != null) {
            try {
                dtls.close();
            } catch (IOException | RuntimeException ignored) {
                // closing a dead association: nothing to tell anyone
            }
        }
        Thread t = thread;
        if (t != null) {
            t.interrupt();
        }
    }

    private void verifyPeer(Certificate peer) throws IOException {
        try {
            if (!fingerprintKnown.await(FINGERPRINT_WAIT_MS, TimeUnit.MILLISECONDS)) {
                throw new TlsFatalAlert(AlertDescription.access_denied, "no remote fingerprint negotiated");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new InterruptedIOException("closed while waiting for the fingerprint");
        }
        if (!DtlsCertificate.matches(peer, remoteFingerprint)) {
            throw new TlsFatalAlert(AlertDescription.bad_certificate, "certificate does not match a=fingerprint");
        }
    }

    private TlsCredentialedSigner signer(TlsContext context) {
        return new BcDefaultTlsCredentialedSigner(new TlsCryptoParameters(context), crypto,
                certificate.privateKey(), certificate.chain(),
                new SignatureAndHashAlgorithm(org.bouncycastle.tls.HashAlgorithm.sha256, SignatureAlgorithm.ecdsa));
    }

    /** Filled by the handshake: the chosen profile and the exported keying material. */
    private static final class SrtpKeys {
        SrtpProfile profile;
        byte[] material;

        void export(TlsContext context, SrtpProfile chosen) {
            profile = chosen;
            int len = 2 * (chosen.keyLength() + chosen.saltLength());
            material = context.exportKeyingMaterial(EXPORTER_LABEL, null, len);
        }
    }

    private final class Server extends DefaultTlsServer {
        private final SrtpKeys keys;
        private SrtpProfile chosen;

        Server(SrtpKeys keys) {
            super(crypto);
            this.keys = keys;
        }

        @Override
        protected ProtocolVersion[] getSupportedVersions() {
            return ProtocolVersion.DTLSv12.only();
        }

        @Override
        protected int[] getSupportedCipherSuites() {
            return org.bouncycastle.tls.TlsUtils.getSupportedCipherSuites(crypto, CIPHER_SUITES);
        }

        @Override
        public void processClientExtensions(Hashtable clientExtensions) throws IOException {
            super.processClientExtensions(clientExtensions);
            UseSRTPData offered = TlsSRTPUtils.getUseSRTPExtension(clientExtensions);
            if (offered == null) {
                throw new TlsFatalAlert(AlertDescription.handshake_failure, "client did not offer use_srtp");
            }
            // The server picks one profile from the client's list (RFC 5764 section 4.1.1);
            // prefer ours in order.
            for (SrtpProfile p : SrtpProfile.values()) {
                for (int id : offered.getProtectionProfiles()) {
                    if (id == p.tlsId()) {
                        chosen = p;
                        return;
                    }
                }
            }
            throw new TlsFatalAlert(AlertDescription.handshake_failure, "no common SRTP profile");
        }

        @Override
        @SuppressWarnings({"unchecked", "rawtypes"})
        public Hashtable getServerExtensions() throws IOException {
            Hashtable ext = super.getServerExtensions();
            if (ext == null) {
                ext = new Hashtable();
            }
            TlsSRTPUtils.addUseSRTPExtension(ext, new UseSRTPData(new int[] {chosen.tlsId()}, new byte[0]));
            return ext;
        }

        @Override
        public CertificateRequest getCertificateRequest() {
            // WebRTC peers always present a certificate; we need it for the fingerprint check.
            // TLS 1.2 requires the signature algorithms the server accepts (RFC 5246 7.4.4).
            java.util.Vector<SignatureAndHashAlgorithm> algorithms = new java.util.Vector<>();
            algorithms.add(SignatureAndHashAlgorithm.getInstance(org.bouncycastle.tls.HashAlgorithm.sha256,
                    SignatureAlgorithm.ecdsa));
            algorithms.add(SignatureAndHashAlgorithm.getInstance(org.bouncycastle.tls.HashAlgorithm.sha384,
                    SignatureAlgorithm.ecdsa));
            algorithms.add(SignatureAndHashAlgorithm.getInstance(org.bouncycastle.tls.HashAlgorithm.sha256,
                    SignatureAlgorithm.rsa));
            algorithms.add(SignatureAndHashAlgorithm.rsa_pss_rsae_sha256);
            return new CertificateRequest(new short[] {ClientCertificateType.ecdsa_sign, ClientCertificateType.rsa_sign},
                    algorithms, null);
        }

        @Override
        public void notifyClientCertificate(Certificate clientCertificate) throws IOException {
            verifyPeer(clientCertificate);
        }

        @Override
        protected TlsCredentialedSigner getECDSASignerCredentials() {
            return signer(context);
        }

        @Override
        public void notifyHandshakeComplete() throws IOException {
            super.notifyHandshakeComplete();
            keys.export(context, chosen);
        }
    }

    private final class Client extends DefaultTlsClient {
        private final SrtpKeys keys;
        private SrtpProfile chosen;

        Client(SrtpKeys keys) {
            super(crypto);
            this.keys = keys;
        }

        @Override
        protected ProtocolVersion[] getSupportedVersions() {
            return ProtocolVersion.DTLSv12.only();
        }

        @Override
        protected int[] getSupportedCipherSuites() {
            return org.bouncycastle.tls.TlsUtils.getSupportedCipherSuites(crypto, CIPHER_SUITES);
        }

        @Override
        @SuppressWarnings({"unchecked", "rawtypes"})
        public Hashtable getClientExtensions() throws IOException {
            Hashtable ext = super.getClientExtensions();
            if (ext == null) {
                ext = new Hashtable();
            }
            TlsSRTPUtils.addUseSRTPExtension(ext, new UseSRTPData(SrtpProfile.tlsIds(), new byte[0]));
            return ext;
        }

        @Override
        public TlsAuthentication getAuthentication() {
            return new TlsAuthentication() {
                @Override
                public void notifyServerCertificate(TlsServerCertificate serverCertificate) throws IOException {
                    verifyPeer(serverCertificate.getCertificate());
                }

                @Override
                public TlsCredentials getClientCredentials(CertificateRequest request) {
                    return signer(context);
                }
            };
        }

        @Override
        public void processServerExtensions(Hashtable serverExtensions) throws IOException {
            super.processServerExtensions(serverExtensions);
            UseSRTPData selected = TlsSRTPUtils.getUseSRTPExtension(serverExtensions);
            chosen = selected == null || selected.getProtectionProfiles().length != 1 ? null
                    : SrtpProfile.ofTlsId(selected.getProtectionProfiles()[0]);
            if (chosen == null) {
                throw new TlsFatalAlert(AlertDescription.illegal_parameter, "server chose no known SRTP profile");
            }
        }

        @Override
        public void notifyHandshakeComplete() throws IOException {
            super.notifyHandshakeComplete();
            keys.export(context, chosen);
        }
    }

    /** Adapts the inbound queue and the ICE sender to BouncyCastle's datagram interface. */
    private final class Transport implements DatagramTransport {
        @Override
        public int getReceiveLimit() {
            return PacketBuffer.MAX_PACKET;
        }

        @Override
        public int getSendLimit() {
            // Stay below the smallest path MTU browsers assume for DTLS flights.
            return 1200;
        }

        @Override
        public int receive(byte[] buf, int off, int len, int waitMillis) throws IOException {
            if (closed) {
                throw new IOException("DTLS transport closed");
            }
            try {
                byte[] record = inbound.poll(waitMillis, TimeUnit.MILLISECONDS);
                if (record == null) {
                    return -1;
                }
                int n = Math.min(len, record.length);
                LOG.trace("DTLS in {} bytes", n);
                System.arraycopy(record, 0, buf, off, n);
                return n;
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new InterruptedIOException("DTLS transport closed");
            }
        }

        @Override
        public void send(byte[] buf, int off, int len) throws IOException {
            if (!closed) {
                LOG.trace("DTLS out {} bytes", len);
                sender.send(buf, off, len);
            }
        }

        @Override
        public void close() {
            // BouncyCastle closes the transport when the handshake fails; the failure is still
            // reported by run(), so only closing from outside (DtlsTransport.close) counts here.
        }
    }
}
