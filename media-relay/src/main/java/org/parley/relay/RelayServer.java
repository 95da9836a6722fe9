package org.parley.relay;

import io.micrometer.core.instrument.MeterRegistry;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.security.SecureRandom;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.logging.Level;
import java.util.logging.Logger;
import org.bouncycastle.tls.crypto.impl.bc.BcTlsCrypto;
import org.ice4j.TransportAddress;
import org.parley.relay.conference.LocalRelayControl;
import org.parley.relay.conference.RelayContext;
import org.parley.relay.debug.FrameCapture;
import org.parley.relay.control.RelayControl;
import org.parley.relay.transport.DtlsCertificate;
import org.parley.relay.transport.IceHarvesters;
import org.parley.relay.transport.PublicAddressAdvice;
import org.parley.relay.transport.PublicAddressMap;
import org.parley.relay.transport.SendPool;
import org.parley.relay.transport.SrtpWarmUp;

/**
 * The media relay process part: owns the ICE listeners, the DTLS identity and the conferences.
 */
public final class RelayServer implements AutoCloseable {

    private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(RelayServer.class);

    private static final Logger ICE4J_LOGGER = Logger.getLogger("org.ice4j");

    static {
        Ice4jSettings.apply();
        // ice4j logs every agent's progress at INFO; the relay keeps only warnings.
        ICE4J_LOGGER.setLevel(Level.WARNING);
    }

    private final RelayConfig config;
    private final MeterRegistry registry;
    private final Clock clock;
    private IceHarvesters harvesters;
    private ScheduledExecutorService scheduler;
    private SendPool sendPool;
    private LocalRelayControl control;
    private RelayMetrics metrics;
    private org.parley.relay.api.RelayHttpApi httpApi;
    private org.parley.relay.cascade.LinkSocket linkSocket;

    private volatile FrameCapture frameCapture;

    public RelayServer(RelayConfig config, MeterRegistry registry, Clock clock) {
        this.config = config;
        this.registry = registry;
        this.clock = clock;
    }

    /** Binds every listener; returns one line per listener naming its bound address. */
    public synchronized List<String> start() throws IOException {
        if (control != null) {
            throw new IllegalStateException("relay already started");
        }
        InetAddress bind = InetAddress.getByName(config.bindAddress());
        int tcpPort = config.tcpPort() == 0 ? freeTcpPort(bind) : config.tcpPort();
        harvesters = new IceHarvesters(config.bindAddress(), config.udpPort(), tcpPort);
        // before any endpoint exists: done lazily, it stalled the first call's media for seconds
        LOG.info("SRTP ciphers ready after {} ms", SrtpWarmUp.run().toMillis());
        BcTlsCrypto crypto = new BcTlsCrypto(new SecureRandom());
        DtlsCertificate certificate = DtlsCertificate.generate(crypto);
        scheduler = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "relay-timer");
            t.setDaemon(true);
            return t;
        });
        LocalRelayControl[] self = new LocalRelayControl[1];
        metrics = new RelayMetrics(registry, () -> self[0] == null ? 0 : self[0].conferenceCount(),
                () -> self[0] == null ? 0 : self[0].endpointCount());
        sendPool = new SendPool(config.sendQueuePackets());
        if (config.captureFrames() > 0) {
            frameCapture = new FrameCapture(config.captureFrames());
            LOG.warn("parley.relay.debug.capture-frames = {}: the relay keeps the last {} frames of every stream it"
                    + " forwards and serves them to loopback clients at {}; a test hook, never for production",
                    config.captureFrames(), config.captureFrames(), FrameCapture.PATH);
        }
        RelayContext context = new RelayContext(metrics, crypto, certificate, harvesters.all(),
                config.advertisedAddresses(), scheduler, clock, sendPool, frameCapture, config.bwe());
        control = new LocalRelayControl(context, config.maxEndpoints(), config.lastN());
        self[0] = control;
        scheduler.scheduleWithFixedDelay(() -> safely(() -> control.tickSpeakers(System.nanoTime())), 300, 300,
                TimeUnit.MILLISECONDS);
        // at least every 500 ms: layer bitrates and estimates move between the events that also run it
        scheduler.scheduleWithFixedDelay(() -> safely(control::tickAllocation), 500, 500, TimeUnit.MILLISECONDS);
        long timeout = config.endpointTimeout().toMillis();
        scheduler.scheduleWithFixedDelay(() -> safely(() -> control.expireSilentEndpoints(clock.millis(), timeout)),
                1, 1, TimeUnit.SECONDS);
        if (config.cascadePort() >= 0) {
            linkSocket = new org.parley.relay.cascade.LinkSocket(config.bindAddress(), config.cascadePort());
            // a wildcard bind is reached at the address clients' ICE candidates name
            String host = bind.isAnyLocalAddress() && !harvesters.udpAddresses().isEmpty()
                    ? harvesters.udpAddresses().get(0).getHostAddress()
                    : linkSocket.localAddress().getAddress().getHostAddress();
            control.setLinkSocket(linkSocket, host + ":" + linkSocket.localAddress().getPort());
            scheduler.scheduleWithFixedDelay(() -> safely(() -> control.tickLinks(System.nanoTime())), 500, 500,
                    TimeUnit.MILLISECONDS);
        }
        if (!config.apiSecret().isEmpty()) {
            httpApi = new org.parley.relay.api.RelayHttpApi(control, config.apiSecret(), scheduler);
        }
        List<String> lines = new ArrayList<>();
        for (TransportAddress a : harvesters.udpAddresses()) {
            lines.add("relay udp " + a.getHostAddress() + ":" + a.getPort());
        }
        for (TransportAddress a : harvesters.tcpAddresses()) {
            lines.add("relay tcp " + a.getHostAddress() + ":" + a.getPort());
        }
        if (linkSocket != null) {
            lines.add("relay links udp " + control.linkAddress());
        }
        if (tcpPort >= 0 && harvesters.tcpAddresses().isEmpty()) {
            // ice4j's TCP listener drops loopback (and any address its host harvesting does not
            // allow) without a word and binds nothing: say so instead of naming a listener. Only a
            // note: on loopback every client is on this host and UDP always reaches it.
            LOG.info("ICE-TCP is unavailable on {}: ice4j's ICE-TCP listener refuses loopback addresses, so clients"
                    + " reach the relay over UDP only; set parley.relay.bind-address to an address clients reach"
                    + " for ICE-TCP on port {}", harvesters.udpAddresses().stream()
                    .map(TransportAddress::getHostAddress).distinct().toList(), tcpPort);
        }
        if (harvesters.loopbackOnly()) {
            LOG.info("this host has no address but loopback, so endpoints can reach the relay only from this host"
                    + " (127.0.0.1); set parley.relay.bind-address or parley.relay.advertised-addresses for others");
        } else if (bind.isAnyLocalAddress()) {
            LOG.info("every relay udp address is announced to clients as an ICE host candidate; set"
                    + " parley.relay.bind-address to announce one, parley.relay.advertised-addresses for a public"
                    + " one behind NAT");
        }
        PublicAddressAdvice.warnings(PublicAddressMap.parse(config.advertisedAddresses()),
                harvesters.udpAddresses().stream().map(TransportAddress::getAddress).distinct().toList())
                .forEach(LOG::warn);
        return lines;
    }

    private static void safely(Runnable r) {
        try {
            r.run();
        } catch (RuntimeException ignored) {
            // periodic work must survive one bad round
        }
    }

    private static int freeTcpPort(InetAddress bind) throws IOException {
        try (ServerSocket s = new ServerSocket(0, 1, bind)) {
            return s.getLocalPort();
        }
    }

    /** The frames the capture-frames test hook keeps, or null when it is off. */
    public FrameCapture frameCapture() {
        return frameCapture;
    }

    /** The in-process control API; available once started. */
    public RelayControl control() {
        return localControl();
    }

    /** The in-process control with relay-local extras (active speaker, counts). */
    public synchronized LocalRelayControl localControl() {
        if (control == null) {
            throw new IllegalStateException("relay not started");
        }
        return control;
    }

    /**
     * The HTTP control API to mount at {@link org.parley.relay.api.RelayHttpApi#PREFIX}, or null
     * when {@code parley.relay.api-secret} is empty.
     */
    public synchronized org.parley.relay.api.RelayHttpApi httpApi() {
        return httpApi;
    }

    /** The relay-to-relay link socket; null when {@code parley.relay.cascade.port} is -1. */
    public synchronized org.parley.relay.cascade.LinkSocket linkSocket() {
        return linkSocket;
    }

    /** The relay's meters, for tests and the load benchmark. */
    public synchronized RelayMetrics metrics() {
        return metrics;
    }

    /** The bound UDP addresses (the real port when 0 was configured). */
    public synchronized List<TransportAddress> udpAddresses() {
        return harvesters == null ? List.of() : harvesters.udpAddresses();
    }

    @Override
    public synchronized void close() {
        if (control != null) {
            control.close();
        }
        if (scheduler != null) {
            scheduler.shutdownNow();
        }
        if (sendPool != null) {
            sendPool.close();
        }
        if (linkSocket != null) {
            linkSocket.close();
        }
        if (harvesters != null) {
            harvesters.close();
        }
    }
}
