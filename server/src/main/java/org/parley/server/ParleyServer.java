package org.parley.server;

import io.micrometer.core.instrument.Gauge;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.net.BindException;
import java.net.URI;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Supplier;
import org.parley.cluster.ClusterNode;
import org.parley.cluster.relay.RelayLoadMeter;
import org.parley.cluster.relay.RelayPool;
import org.parley.relay.RelayServer;
import org.parley.relay.api.RelayHttpApi;
import org.parley.relay.debug.FrameCapture;
import org.parley.relay.api.RemoteRelayControl;
import org.parley.relay.control.RelayControl;
import org.parley.server.config.RemoteRelayConfig;
import org.parley.server.config.ServerConfig;
import org.parley.server.http.HttpEndpoint;
import org.parley.server.http.HttpRouter;
import org.parley.signaling.SignalingService;
import org.parley.signaling.cluster.Peers;
import org.parley.signaling.media.SingleRelay;
import org.parley.signaling.session.LocalTurn;
import org.parley.turn.TurnConfig;
import org.parley.turn.TurnServer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.MDC;

/**
 * The one process: starts the enabled parts and the HTTP listener, reports health, and drains on
 * shutdown. It wires modules together and owns no protocol itself.
 */
public final class ParleyServer implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(ParleyServer.class);

    private final ServerConfig config;
    private final PrometheusMeterRegistry registry;
    private final Clock clock;
    private final List<Part> parts = new ArrayList<>();
    /** Closed after every part: clients of other nodes that parts used until their end. */
    private final List<AutoCloseable> closeLast = new ArrayList<>();
    private final Map<String, PartState> partStates = Collections.synchronizedMap(new LinkedHashMap<>());
    private final HttpEndpoint http;
    /** The relay of another node that signaling drives, when configured. */
    private RemoteRelayControl remoteRelay;
    /** This node in the relay pool, with parley.cluster.redis. */
    private RelayPoolPart relayPool;
    private volatile PartState state = PartState.STARTING;

    public ParleyServer(ServerConfig config, byte[] secret, Clock clock) {
        this.config = config;
        this.clock = clock;
        this.registry = Metrics.newRegistry();
        Gauge.builder("parley.build.info", () -> 1).tag("version", Version.current())
                .description("Always 1; the version tag says which build runs").register(registry);

        Optional<RelayControl> relayControl = Optional.empty();
        Supplier<RelayHttpApi> relayApi = () -> null;
        Supplier<FrameCapture> frameCapture = () -> null;
        if (config.relayPool().pooled()) {
            RemoteRelayConfig rc = config.remoteRelay();
            relayPool = new RelayPoolPart(config.relayPool(), config.signaling().enabled()
                    ? Optional.of(new RelayPool.Control(config.relayPoolSecret(), rc.connectTimeout(),
                            rc.requestTimeout(), rc.watchInterval()))
                    : Optional.empty(),
                    config.relay().enabled() ? Optional.of(new RelayLoadMeter(registry, clock)) : Optional.empty(),
                    this::relayControlUrl, registry, clock, config.cluster().nodeId());
            add(relayPool);
        }
        if (config.relay().enabled()) {
            RelayServer relay = new RelayServer(config.relay().config(), registry, clock);
            relayControl = Optional.of(new StartedRelayControl(relay::control));
            relayApi = relay::httpApi;
            frameCapture = relay::frameCapture;
            add(new ModulePart("relay", "parley.relay.udp-port / parley.relay.tcp-port", relay::start,
                    () -> { }, () -> 0, relay));
        } else {
            partStates.put("relay", PartState.DISABLED);
            if (config.remoteRelay().url().isPresent()) {
                RemoteRelayConfig rc = config.remoteRelay();
                RemoteRelayControl remote = new RemoteRelayControl(rc.url().get(), rc.secret(), rc.connectTimeout(),
                        rc.requestTimeout());
                remote.watch(rc.watchInterval());
                relayControl = Optional.of(remote);
                remoteRelay = remote;
                closeLast.add(remote);
                // As /health's "remote-relay": lets an alert see a signaling node whose relay is gone.
                Gauge.builder("parley.part.up",
                        () -> remote.reachability() == RemoteRelayControl.Reachability.UP ? 1 : 0)
                        .tag("part", "remote-relay").description("1 while the part serves, else 0")
                        .register(registry);
            }
        }
        TurnServer turn = config.turn().enabled() ? new TurnServer(turnConfig(config, secret), registry, clock) : null;
        SignalingService signaling = null;
        if (config.signaling().enabled()) {
            Peers peers = Peers.NONE;
            if (config.cluster().redis().isPresent()) {
                ClusterNode node = ClusterNode.connect(config.cluster());
                closeLast.add(node);
                peers = node;
            }
            signaling = new SignalingService(config.signaling().config(), secret,
                    relayPool != null ? relayPool : new SingleRelay(relayControl), registry, clock,
                    () -> localTurn(turn), peers);
            SignalingService s = signaling;
            add(new ModulePart("signaling", "parley.http.port", List::of, s::drain, s::liveCallsWithConnectedDevice, s));
        } else {
            partStates.put("signaling", PartState.DISABLED);
        }
        if (turn != null) {
            add(new ModulePart("turn", "parley.turn.listening-port", turn::start, () -> { }, () -> 0, turn));
        } else {
            partStates.put("turn", PartState.DISABLED);
        }
        this.http = new HttpEndpoint(config.http(), new HttpRouter(this::health, registry, signaling, relayApi, frameCapture),
                registry);
    }

    /**
     * Signaling mints TURN REST credentials with the operator's secret, so TURN accepts them unless
     * the operator gave TURN secrets of its own; and valid for signaling's TTL, so TURN refuses any
     * valid for longer (max-credential-lifetime = auto).
     */
    private static TurnConfig turnConfig(ServerConfig config, byte[] secret) {
        TurnConfig turn = config.turn().config().withDefaultRestSecret(secret);
        if (config.signaling().enabled()) {
            turn = turn.withCredentialTtlOf(config.signaling().config().ice().turnCredentialTtl());
        }
        return turn;
    }

    /** The TURN server of this process as welcome advertises it, while it listens. */
    private static Optional<LocalTurn> localTurn(TurnServer turn) {
        if (turn == null || turn.listeningPort().isEmpty()) {
            return Optional.empty();
        }
        return Optional.of(new LocalTurn(turn.listeningPort().getAsInt(), turn.tlsListeningPort(),
                turn.publicIpv4().map(java.net.InetAddress::getHostAddress)));
    }

    private void add(Part part) {
        parts.add(part);
        partStates.put(part.name(), PartState.STARTING);
        Gauge.builder("parley.part.up", () -> partStates.get(part.name()) == PartState.UP ? 1 : 0)
                .tag("part", part.name()).description("1 while the part serves, else 0").register(registry);
    }

    /**
     * Binds HTTP first (so /health answers 503 while the rest starts), then each part. Logs one line
     * per listener. On failure everything already started is closed again.
     */
    public List<String> start() throws StartupException {
        List<String> listeners = new ArrayList<>();
        try {
            listeners.addAll(startOne("http", "parley.http.port / parley.http.redirect-port", http::start));
            for (Part part : parts) {
                List<String> bound = startOne(part.name(), part instanceof ModulePart m ? m.portSettings() : "",
                        part::start);
                listeners.addAll(bound);
                partStates.put(part.name(), PartState.UP);
            }
        } catch (StartupException e) {
            close();
            throw e;
        }
        if (relayPool != null) {
            relayPool.register();
        }
        state = PartState.UP;
        LOG.info("parley {} up: {}", Version.current(), String.join(", ", listeners));
        return listeners;
    }

    private List<String> startOne(String name, String portSettings, java.util.concurrent.Callable<List<String>> start)
            throws StartupException {
        // What a part logs while it starts (its listeners, its warnings) carries the part's name,
        // a field of its own in JSON logs (PARLEY_LOG_FORMAT=json).
        MDC.put("part", name);
        try {
            List<String> bound = start.call();
            for (String line : bound) {
                LOG.info("listening {}", line);
            }
            return bound;
        } catch (Exception e) {
            if (causedBy(e, BindException.class) || mentions(e, "Address already in use")) {
                throw new StartupException(name + ": cannot listen, address already in use (another process "
                        + "holds the port; change " + portSettings + ")", e);
            }
            throw new StartupException(name + ": failed to start: " + e, e);
        } finally {
            MDC.remove("part");
        }
    }

    /** Netty's native transports report bind failures as their own exception type, not BindException. */
    private static boolean mentions(Throwable e, String text) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t.getMessage() != null && t.getMessage().contains(text)) {
                return true;
            }
        }
        return false;
    }

    private static boolean causedBy(Throwable e, Class<? extends Throwable> type) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (type.isInstance(t)) {
                return true;
            }
        }
        return false;
    }

    /** Where other nodes reach this node's relay control API (docs/cluster.md "Relays"). */
    private URI relayControlUrl() {
        return config.relayPool().controlUrl().orElseGet(() -> URI.create(
                (config.http().https() ? "https" : "http") + "://" + hostInUrl(config.http().host()) + ":"
                + http.port()));
    }

    private static String hostInUrl(String host) {
        return host.contains(":") ? "[" + host + "]" : host;
    }

        /** The port HTTP is bound to (useful when configured as 0). */
    public int httpPort() {
        return http.port();
    }

    public HealthReport health() {
        synchronized (partStates) {
            Map<String, PartState> parts = new LinkedHashMap<>(partStates);
            if (remoteRelay != null) {
                // reported, but not part of "status": signaling still serves peer-to-peer calls
                parts.put("remote-relay", switch (remoteRelay.reachability()) {
                    case UNKNOWN -> PartState.STARTING;
                    case UP -> PartState.UP;
                    case UNREACHABLE -> PartState.UNREACHABLE;
                });
            }
            return new HealthReport(state, Version.current(), Map.copyOf(parts));
        }
    }

    /**
     * Graceful stop (SIGTERM): refuse new calls at once, wait for live ones to end up to the drain
     * grace period, then close everything. Only calls a connected device still takes part in count
     * as live: one whose devices have all gone would only wait out its resume grace.
     */
    public void drainAndStop() throws InterruptedException {
        state = PartState.DRAINING;
        for (Part part : parts) {
            partStates.put(part.name(), PartState.DRAINING);
            part.drain();
        }
        Instant deadline = clock.instant().plus(config.drainGracePeriod());
        int live = liveWork();
        if (live > 0) {
            LOG.info("draining: {} live calls, waiting up to {}", live, config.drainGracePeriod());
        }
        while (live > 0 && clock.instant().isBefore(deadline)) {
            Thread.sleep(100);
            live = liveWork();
        }
        if (live > 0) {
            LOG.warn("drain grace period over: closing {} live calls", live);
        }
        close();
    }

    private int liveWork() {
        int sum = 0;
        for (Part part : parts) {
            sum += part.liveWork();
        }
        return sum;
    }

    @Override
    public void close() {
        state = PartState.STOPPED;
        for (int i = parts.size() - 1; i >= 0; i--) {
            Part part = parts.get(i);
            try {
                part.close();
            } catch (Exception e) {
                LOG.warn("closing {} failed", part.name(), e);
            }
            partStates.put(part.name(), PartState.STOPPED);
        }
        for (AutoCloseable c : closeLast) {
            try {
                c.close();
            } catch (Exception e) {
                LOG.warn("closing {} failed", c, e);
            }
        }
        http.close();
        registry.close();
        LOG.info("parley stopped");
    }
}
